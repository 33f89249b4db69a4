package load

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ConnectionRate describes the connection-rate scenario: Concurrency
// clients each loop connect, CONNECT with a clean session, CONNACK,
// DISCONNECT and close, as fast as the broker answers, for Duration or
// until Count connections were attempted in all. With PSK it is the
// psk-handshakes scenario: each connection is a TLS 1.3 external-PSK
// handshake to the broker's TLS-PSK listener at Addr, and the MQTT
// exchange runs inside it.
//
// A connection that fails (the connect refused, the handshake failed,
// CONNACK refusing it, or the broker closing it or not answering within
// Timeout) is counted, by kind, and the loop goes on. Connections still
// being set up when Duration ends are neither counted nor failed.
type ConnectionRate struct {
	Addr  string // broker address, host:port: its TLS-PSK listener's with PSK
	Label string // names the broker in reports
	PSK   *PSK   // nil: plain TCP

	Concurrency int           // clients connecting at once; default 16
	Duration    time.Duration // how long to connect; default 5 s unless Count is given
	Count       int           // connections to attempt in all; overrides Duration
	Timeout     time.Duration // bound on one connection's connect, handshake and CONNACK; default 5 s
	Name        string        // replaces the scenario's name in reports
}

// Defaults of the connection-rate scenarios.
const (
	DefaultRateConcurrency = 16
	DefaultRateDuration    = 5 * time.Second
	DefaultRateTimeout     = 5 * time.Second
)

// ConnectionRateResult is what a connection-rate or psk-handshakes run
// measured.
type ConnectionRateResult struct {
	Label       string `json:"label"`
	Scenario    string `json:"scenario"`
	Concurrency int    `json:"concurrency"`

	// Attempts = Connected + Failed; Failed is the sum of the four kinds:
	// the TCP connect failed (DialFailed), the TLS handshake did
	// (HandshakeFailed), the broker answered CONNACK ≠ 0 (Refused), or it
	// closed the connection, did not answer in time or answered something
	// else than CONNACK (Dropped). FirstError describes the first failure.
	Attempts        uint64 `json:"attempts"`
	Connected       uint64 `json:"connected"`
	Failed          uint64 `json:"failed"`
	DialFailed      uint64 `json:"dial_failed"`
	HandshakeFailed uint64 `json:"handshake_failed"`
	Refused         uint64 `json:"refused"`
	Dropped         uint64 `json:"dropped"`
	FirstError      string `json:"first_error,omitempty"`

	Elapsed time.Duration `json:"elapsed_ns"`
	Rate    float64       `json:"connected_per_s"` // Connected per second of Elapsed

	// Latency runs from the start of the TCP connect to the CONNACK, over
	// the connections accepted: with PSK, the TLS handshake included.
	Latency Latency `json:"latency"`
}

// The outcomes of one connection.
type rateOutcome int

const (
	rateConnected rateOutcome = iota
	rateDialFailed
	rateHandshakeFailed
	rateRefused
	rateDropped
	rateCancelled // the run ended while it was being set up
)

// RunConnectionRate runs the connection-rate scenario, or psk-handshakes
// with cr.PSK. It fails only when it is given nonsense or ctx is
// cancelled before it starts; the broker's failures are counted.
func RunConnectionRate(ctx context.Context, cr ConnectionRate) (*ConnectionRateResult, error) {
	if cr.Concurrency == 0 {
		cr.Concurrency = DefaultRateConcurrency
	}
	if cr.Count == 0 && cr.Duration == 0 {
		cr.Duration = DefaultRateDuration
	}
	if cr.Timeout == 0 {
		cr.Timeout = DefaultRateTimeout
	}
	switch {
	case cr.Addr == "":
		return nil, errors.New("load: connection rate: no broker address")
	case cr.Concurrency < 1 || cr.Count < 0 || cr.Duration < 0 || cr.Timeout < 0:
		return nil, fmt.Errorf("load: connection rate: concurrency %d, count %d, duration %v, timeout %v: want concurrency ≥ 1 and none negative",
			cr.Concurrency, cr.Count, cr.Duration, cr.Timeout)
	}
	var dial DialFunc
	if cr.PSK != nil {
		var err error
		if dial, err = PSKDial(*cr.PSK); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &ConnectionRateResult{Label: cr.Label, Scenario: cr.scenario(), Concurrency: cr.Concurrency}
	if res.Label == "" {
		res.Label = cr.Addr
	}

	runCtx, cancel := ctx, context.CancelFunc(func() {})
	if cr.Count == 0 {
		runCtx, cancel = context.WithTimeout(ctx, cr.Duration)
	}
	defer cancel()
	runID := fmt.Sprintf("%x", uint32(time.Now().UnixNano()))
	var (
		claimed atomic.Int64
		wg      sync.WaitGroup
		mu      sync.Mutex
		lat     Histogram
		counts  [rateCancelled]uint64
	)
	start := time.Now()
	for w := range cr.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := rateClient{addr: cr.Addr, dial: dial, timeout: cr.Timeout, id: fmt.Sprintf("gatoload-%s-c%d-", runID, w)}
			var mine [rateCancelled]uint64
			for !ended(runCtx) {
				if cr.Count > 0 && claimed.Add(1) > int64(cr.Count) {
					break
				}
				outcome, err := c.once(runCtx)
				if outcome == rateCancelled {
					break
				}
				mine[outcome]++
				if err != nil {
					mu.Lock()
					if res.FirstError == "" {
						res.FirstError = err.Error()
					}
					mu.Unlock()
				}
			}
			mu.Lock()
			defer mu.Unlock()
			lat.Merge(&c.latency)
			for i, n := range mine {
				counts[i] += n
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	if ctx.Err() != nil {
		return nil, fmt.Errorf("load: connection rate: %w", ctx.Err())
	}

	res.Connected = counts[rateConnected]
	res.DialFailed, res.HandshakeFailed = counts[rateDialFailed], counts[rateHandshakeFailed]
	res.Refused, res.Dropped = counts[rateRefused], counts[rateDropped]
	res.Failed = res.DialFailed + res.HandshakeFailed + res.Refused + res.Dropped
	res.Attempts = res.Connected + res.Failed
	if res.Elapsed > 0 {
		res.Rate = float64(res.Connected) / res.Elapsed.Seconds()
	}
	res.Latency = Latency{
		Samples: lat.Count(), Min: lat.Min(), Mean: lat.Mean(),
		P50: lat.Quantile(0.50), P99: lat.Quantile(0.99), Max: lat.Max(),
	}
	return res, nil
}

// scenario names the run: connection-rate-c16, or
// psk-handshakes-c16-psk_dhe_ke.
func (cr *ConnectionRate) scenario() string {
	if cr.Name != "" {
		return cr.Name
	}
	if cr.PSK != nil {
		return fmt.Sprintf("psk-handshakes-c%d-%v", cr.Concurrency, cr.PSK.Mode())
	}
	return fmt.Sprintf("connection-rate-c%d", cr.Concurrency)
}

func (r *ConnectionRateResult) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %.0f connections/s, %d of %d connected in %v", clean(r.Label), r.Scenario, r.Rate,
		r.Connected, r.Attempts, roundDuration(r.Elapsed))
	if r.Failed > 0 {
		fmt.Fprintf(&b, "; failed %d (connect %d, handshake %d, refused %d, dropped %d; first: %s)",
			r.Failed, r.DialFailed, r.HandshakeFailed, r.Refused, r.Dropped, r.FirstError)
	}
	fmt.Fprintf(&b, "; connect to CONNACK p50 %v p99 %v max %v",
		roundDuration(r.Latency.P50), roundDuration(r.Latency.P99), roundDuration(r.Latency.Max))
	return b.String()
}

// TSVHeader names the columns of TSV; connection-rate and psk-handshakes
// rows share it, so that they go in one file.
func (r *ConnectionRateResult) TSVHeader() string {
	return "broker\tscenario\tconcurrency\tseconds\tattempts\tconnected\tfailed\thandshake failed\trefused\tdropped\tconnections/s\tp50 µs\tp99 µs\tmax µs"
}

// TSV formats the result as one row under TSVHeader.
func (r *ConnectionRateResult) TSV() string {
	us := func(d time.Duration) string { return fmt.Sprintf("%.0f", float64(d)/1e3) }
	u := func(n uint64) string { return strconv.FormatUint(n, 10) }
	return strings.Join([]string{
		clean(r.Label), r.Scenario, strconv.Itoa(r.Concurrency), fmt.Sprintf("%.2f", r.Elapsed.Seconds()),
		u(r.Attempts), u(r.Connected), u(r.Failed), u(r.HandshakeFailed), u(r.Refused), u(r.Dropped),
		fmt.Sprintf("%.0f", r.Rate), us(r.Latency.P50), us(r.Latency.P99), us(r.Latency.Max),
	}, "\t")
}
