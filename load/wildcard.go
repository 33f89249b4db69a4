package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// WildcardPressure describes the wildcard-pressure scenario: Sessions
// persistent sessions each subscribe Filters long wildcard filters,
// "+/+/…/+/bNN" of Levels levels, and disconnect; none matches the run's
// topic. The run of Config is made once before the filters are installed
// and once after, and the ratio of the two throughputs tells how much the
// filters of sessions that are not even connected cost every publish.
type WildcardPressure struct {
	Config Config // the measured run, as for Run

	Sessions int // default 250
	Filters  int // per session; default 32
	Levels   int // of each filter; default 125

	// MaxSubscribeBytes bounds each SUBSCRIBE: a session's filters go in
	// as many packets as that takes. Default 4096, which brokers with
	// small packet limits accept.
	MaxSubscribeBytes int
}

// Defaults of the wildcard-pressure scenario.
const (
	DefaultWildcardSessions  = 250
	DefaultWildcardFilters   = 32
	DefaultWildcardLevels    = 125
	DefaultMaxSubscribeBytes = 4096
)

// WildcardPressureResult is what the wildcard-pressure scenario measured.
type WildcardPressureResult struct {
	Sessions int `json:"sessions"`
	Filters  int `json:"filters_per_session"`
	Levels   int `json:"levels"`

	// Sessions the broker refused with a CONNACK code (such as 3 for a
	// broker at its session limit), or that it closed when they
	// subscribed; filters it granted, and filters it refused with SUBACK
	// 0x80 or by closing the connection. A refusal is the broker's
	// policy, not a failure of the scenario.
	SessionsRefused int           `json:"sessions_refused"`
	SessionsClosed  int           `json:"sessions_closed"`
	Granted         int           `json:"granted"`
	Refused         int           `json:"refused"`
	InstallTime     time.Duration `json:"install_ns"`

	Baseline *Result `json:"baseline"` // before the filters
	Attacked *Result `json:"attacked"` // with them in place
	// Ratio is Attacked.Throughput / Baseline.Throughput.
	Ratio float64 `json:"ratio"`
}

// WildcardFilter is filter j of the scenario: levels-1 single-level
// wildcards, then "b" and j in two digits.
func WildcardFilter(levels, j int) string {
	return strings.Repeat("+/", levels-1) + fmt.Sprintf("b%02d", j)
}

// RunWildcardPressure makes the baseline run, installs the filters, makes
// the run again, and removes the sessions.
func RunWildcardPressure(ctx context.Context, wp WildcardPressure) (res *WildcardPressureResult, err error) {
	cfg, err := wp.Config.withDefaults()
	if err != nil {
		return nil, err
	}
	if wp.Sessions == 0 {
		wp.Sessions = DefaultWildcardSessions
	}
	if wp.Filters == 0 {
		wp.Filters = DefaultWildcardFilters
	}
	if wp.Levels == 0 {
		wp.Levels = DefaultWildcardLevels
	}
	if wp.MaxSubscribeBytes == 0 {
		wp.MaxSubscribeBytes = DefaultMaxSubscribeBytes
	}
	switch {
	case wp.Sessions < 0 || wp.Filters < 0 || wp.Levels < 1:
		return nil, fmt.Errorf("load: wildcard pressure: %d sessions of %d filters of %d levels, want no negative count and at least 1 level", wp.Sessions, wp.Filters, wp.Levels)
	case wp.Filters > 100:
		return nil, fmt.Errorf("load: wildcard pressure: %d filters per session, want at most 100 (bNN)", wp.Filters)
	case wp.MaxSubscribeBytes < 64 || wp.MaxSubscribeBytes > setupBuf:
		return nil, fmt.Errorf("load: wildcard pressure: SUBSCRIBE of at most %d bytes, want 64 to %d", wp.MaxSubscribeBytes, setupBuf)
	}
	if cfg.Name == "" {
		cfg.Name = cfg.Scenario()
	}
	res = &WildcardPressureResult{Sessions: wp.Sessions, Filters: wp.Filters, Levels: wp.Levels}

	res.Baseline, err = Run(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("load: wildcard pressure: the baseline run: %w", err)
	}

	ids := sessionIDs("wild", wp.Sessions)
	defer func() {
		cctx, cancel := cleanupContext(ctx, 30*time.Second+cfg.Stall)
		defer cancel()
		if cerr := cleanSessions(cctx, cfg.Addr, ids, cfg.Stall); cerr != nil && err == nil {
			res, err = nil, cerr
		}
	}()
	filters := make([]string, wp.Filters)
	for j := range filters {
		filters[j] = WildcardFilter(wp.Levels, j)
	}
	batches := subscribeBatches(filters, wp.MaxSubscribeBytes)
	start := time.Now()
	for i, id := range ids {
		if err := res.install(ctx, &cfg, id, batches); err != nil {
			return nil, fmt.Errorf("load: wildcard pressure: session %d: %w", i, err)
		}
	}
	res.InstallTime = time.Since(start)

	res.Attacked, err = Run(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("load: wildcard pressure: the run with %d filters in place: %w", res.Granted, err)
	}
	if res.Baseline.Throughput > 0 {
		res.Ratio = res.Attacked.Throughput / res.Baseline.Throughput
	}
	return res, nil
}

// install connects one persistent session, clean first, subscribes it to
// the batches of filters and disconnects it, counting what the broker
// granted and refused.
func (r *WildcardPressureResult) install(ctx context.Context, cfg *Config, id string, batches [][]string) error {
	if err := cleanSessions(ctx, cfg.Addr, []string{id}, cfg.Stall); err != nil {
		var refused *RefusedError
		if errors.As(err, &refused) {
			r.SessionsRefused++
			return nil
		}
		return err
	}
	c, err := dialWith(ctx, cfg.Addr, dialOptions{clientID: id, readBuf: setupBuf, writeBuf: setupBuf, timeout: cfg.Stall})
	var refused *RefusedError
	if errors.As(err, &refused) {
		r.SessionsRefused++
		return nil
	}
	if err != nil {
		return err
	}
	defer c.close()
	for k, batch := range batches {
		codes, err := c.subscribeMany(uint16(k+1), batch, 1)
		if err != nil {
			if closedByPeer(err) {
				// The broker closed the connection rather than answer:
				// it refused the rest of this session's filters.
				r.SessionsClosed++
				for _, b := range batches[k:] {
					r.Refused += len(b)
				}
				return nil
			}
			return err
		}
		for _, code := range codes {
			if code == packet.SubackFailure {
				r.Refused++
			} else {
				r.Granted++
			}
		}
	}
	return nil
}

// closedByPeer reports whether err says the other end closed the connection.
func closedByPeer(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// subscribeBatches splits filters into groups whose SUBSCRIBE packets are
// at most maxBytes long; a filter too long for that goes alone.
func subscribeBatches(filters []string, maxBytes int) [][]string {
	var batches [][]string
	var cur []string
	size := 2 // packet identifier
	for _, f := range filters {
		n := 2 + len(f) + 1
		if len(cur) > 0 && packet.HeaderSize(size+n)+size+n > maxBytes {
			batches = append(batches, cur)
			cur, size = nil, 2
		}
		cur = append(cur, f)
		size += n
	}
	if len(cur) > 0 {
		batches = append(batches, cur)
	}
	return batches
}

func (r *WildcardPressureResult) String() string {
	a := r.Attacked
	var b strings.Builder
	fmt.Fprintf(&b, "%s wildcard-pressure %s: %.0f msg/s with %d sessions × %d filters of %d levels, %.0f msg/s without: ratio %.2f; filters granted %d, refused %d",
		label(&a.Config), a.Config.Scenario(), a.Throughput, r.Sessions, r.Filters, r.Levels, r.Baseline.Throughput, r.Ratio, r.Granted, r.Refused)
	if r.SessionsRefused > 0 || r.SessionsClosed > 0 {
		fmt.Fprintf(&b, "; sessions refused %d, closed on SUBSCRIBE %d", r.SessionsRefused, r.SessionsClosed)
	}
	fmt.Fprintf(&b, "; installed in %v; lost %d without, %d with; p99 %v without, %v with",
		roundDuration(r.InstallTime), r.Baseline.Lost, a.Lost, roundDuration(r.Baseline.Latency.P99), roundDuration(a.Latency.P99))
	return b.String()
}

// TSVHeader names the columns of TSV.
func (r *WildcardPressureResult) TSVHeader() string {
	return "broker\tscenario\tsessions\tfilters each\tlevels\tgranted\trefused\tsessions refused\tbaseline msg/s\tattacked msg/s\tratio\tattacked lost\tbaseline p99 µs\tattacked p99 µs"
}

// TSV formats the result as one row under TSVHeader.
func (r *WildcardPressureResult) TSV() string {
	a, base := r.Attacked, r.Baseline
	return strings.Join([]string{
		label(&a.Config), "wildcard-pressure-" + a.Config.Scenario(), strconv.Itoa(r.Sessions), strconv.Itoa(r.Filters), strconv.Itoa(r.Levels),
		strconv.Itoa(r.Granted), strconv.Itoa(r.Refused), strconv.Itoa(r.SessionsRefused + r.SessionsClosed),
		fmt.Sprintf("%.0f", base.Throughput), fmt.Sprintf("%.0f", a.Throughput), fmt.Sprintf("%.2f", r.Ratio),
		strconv.FormatInt(a.Lost, 10),
		fmt.Sprintf("%.0f", float64(base.Latency.P99)/1e3), fmt.Sprintf("%.0f", float64(a.Latency.P99)/1e3),
	}, "\t")
}
