package load

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// IdleSessions describes the idle-sessions scenario: Sessions clients
// connect with clean sessions and a keep alive, each subscribes to a
// filter of its own (TopicPrefix/<i>), and then they only stay connected.
// With the broker's process id (Config.PID) it reports the broker's
// resident memory per held session. It also measures routing to one
// session among them: a publisher publishes to one subscriber, whose
// filter TopicPrefix/<Sessions> has the idle ones' shape, first with only
// Baseline sessions connected and again with all of them, and the ratio
// of the two throughputs tells what the idle crowd costs the one client
// that is busy. An unrecorded routing run comes before everything, so
// that neither the baseline is the run that warms the broker up nor the
// memory growth counts what routing leaves behind.
//
// A broker may refuse sessions (CONNACK ≠ 0), refuse their filters
// (SUBACK 0x80) or close their connections; the scenario counts each,
// and measures memory per session it holds. When it refused any, the
// scenario disconnects two held sessions before each routing run to make
// room for its publisher and subscriber.
type IdleSessions struct {
	// Config is the routing run: Publishers and Subscribers are set to 1,
	// Topic to TopicPrefix/<Sessions>, and Count defaults to 10 000 when
	// neither Count nor Duration is given. QoS applies to the idle
	// sessions' filters too; Stall bounds each session's CONNACK and
	// SUBACK; PID is the broker's process, whose memory is read.
	Config Config

	Sessions    int           // idle sessions; default 2000
	Baseline    int           // sessions connected for the baseline routing run; default 100 (at most Sessions)
	TopicPrefix string        // default "idle"
	KeepAlive   time.Duration // in whole seconds; default 60 s
	Concurrency int           // sessions being set up at once; default 64
	Settle      time.Duration // bound on waiting for the broker's RSS to stop growing; default 5 s
}

// Defaults of the idle-sessions scenario.
const (
	DefaultIdleSessions    = 2000
	DefaultIdleBaseline    = 100
	DefaultIdlePrefix      = "idle"
	DefaultIdleKeepAlive   = 60 * time.Second
	DefaultIdleConcurrency = 64
	DefaultIdleSettle      = 5 * time.Second
	DefaultIdleCount       = 10000
)

// settleInterval is the time between two readings of the broker's
// memory while it settles.
const settleInterval = 250 * time.Millisecond

// IdleSessionsResult is what the idle-sessions scenario measured.
type IdleSessionsResult struct {
	Sessions int `json:"sessions"` // asked for

	// What became of them: held with their filter (Accepted), held with
	// the filter refused by SUBACK 0x80 (FilterRefused), refused with a
	// CONNACK code (Refused), or closed by the broker before it answered
	// (Closed). Released counts held sessions the scenario disconnected
	// to make room for the routing runs.
	Accepted      int `json:"accepted"`
	FilterRefused int `json:"filter_refused"`
	Refused       int `json:"refused"`
	Closed        int `json:"closed"`
	Released      int `json:"released"`

	SetupTime time.Duration `json:"setup_ns"`   // opening all sessions, without the baseline run
	FileLimit uint64        `json:"file_limit"` // this process's open-file limit

	// The broker's memory before the first session and once all were
	// held and its RSS stopped growing (nil without Config.PID), the
	// sessions held at the second reading, and the growth per session.
	MemoryBefore    *Memory `json:"memory_before,omitempty"`
	MemoryAfter     *Memory `json:"memory_after,omitempty"`
	HeldAtMemory    int     `json:"held_at_memory"`
	BytesPerSession float64 `json:"bytes_per_session"`

	// The routing runs: with BaselineHeld sessions held, and with
	// RoutedHeld. Ratio is Routed.Throughput / Baseline.Throughput.
	BaselineHeld int     `json:"baseline_held"`
	RoutedHeld   int     `json:"routed_held"`
	Baseline     *Result `json:"baseline"`
	Routed       *Result `json:"routed"`
	Ratio        float64 `json:"ratio"`
}

// RunIdleSessions raises the open-file limit, warms the broker up with a
// routing run, opens the baseline sessions and makes the baseline routing
// run, opens the rest, reads the broker's
// memory, makes the routing run beside all of them, and disconnects them.
func RunIdleSessions(ctx context.Context, is IdleSessions) (*IdleSessionsResult, error) {
	cfg := is.Config
	cfg.Publishers, cfg.Subscribers = 1, 1
	if cfg.Count == 0 && cfg.Duration == 0 {
		cfg.Count = DefaultIdleCount
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if is.Sessions == 0 {
		is.Sessions = DefaultIdleSessions
	}
	if is.Baseline == 0 {
		is.Baseline = DefaultIdleBaseline
	}
	if is.TopicPrefix == "" {
		is.TopicPrefix = DefaultIdlePrefix
	}
	if is.KeepAlive == 0 {
		is.KeepAlive = DefaultIdleKeepAlive
	}
	if is.Concurrency == 0 {
		is.Concurrency = DefaultIdleConcurrency
	}
	if is.Settle == 0 {
		is.Settle = DefaultIdleSettle
	}
	switch {
	case is.Sessions < 0 || is.Baseline < 0 || is.Concurrency < 0 || is.Settle < 0:
		return nil, fmt.Errorf("load: idle sessions: %d sessions, baseline %d, concurrency %d, settle %v: want none negative", is.Sessions, is.Baseline, is.Concurrency, is.Settle)
	case is.KeepAlive < time.Second || is.KeepAlive > 65535*time.Second:
		return nil, fmt.Errorf("load: idle sessions: keep alive %v, want 1 s to 65535 s", is.KeepAlive)
	}
	is.Baseline = min(is.Baseline, is.Sessions)
	cfg.Topic = fmt.Sprintf("%s/%d", is.TopicPrefix, is.Sessions)
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("idle-sessions-%d-q%d-%dB", is.Sessions, cfg.QoS, cfg.PayloadSize)
	}
	pid := cfg.PID
	cfg.PID = 0 // the scenario reads the memory itself, around the sessions rather than the runs

	res := &IdleSessionsResult{Sessions: is.Sessions}
	res.FileLimit, err = RaiseFileLimit()
	if err != nil {
		return nil, err
	}
	if err := checkFileLimit(is.Sessions, res.FileLimit); err != nil {
		return nil, err
	}

	set := &idleSet{
		addr: cfg.Addr, prefix: is.TopicPrefix, qos: packet.QoS(cfg.QoS),
		runID:     fmt.Sprintf("%x", uint32(time.Now().UnixNano())),
		keepAlive: uint16(is.KeepAlive / time.Second), timeout: cfg.Stall,
		local: sourceAddrs(cfg.Addr, is.Sessions),
	}
	stopPings := make(chan struct{})
	pinged := make(chan struct{})
	go func() {
		defer close(pinged)
		set.keepAliveUntil(stopPings)
	}()
	defer func() {
		close(stopPings)
		<-pinged
		set.closeAll()
	}()

	if _, _, err := set.route(ctx, cfg); err != nil {
		return nil, fmt.Errorf("load: idle sessions: the warm-up routing run: %w", err)
	}
	if pid > 0 {
		m, err := ReadMemory(pid)
		if err != nil {
			return nil, err
		}
		res.MemoryBefore = &m
	}
	start := time.Now()
	if err := set.open(ctx, 0, is.Baseline, is.Concurrency); err != nil {
		return nil, fmt.Errorf("load: idle sessions: opening the first %d: %w", is.Baseline, err)
	}
	setup := time.Since(start)
	res.BaselineHeld, res.Baseline, err = set.route(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("load: idle sessions: the routing run beside %d sessions: %w", res.BaselineHeld, err)
	}
	start = time.Now()
	if err := set.open(ctx, is.Baseline, is.Sessions, is.Concurrency); err != nil {
		return nil, fmt.Errorf("load: idle sessions: opening sessions %d to %d: %w", is.Baseline, is.Sessions, err)
	}
	res.SetupTime = setup + time.Since(start)
	res.HeldAtMemory = set.held()
	if pid > 0 {
		m, err := settledMemory(ctx, pid, settleInterval, is.Settle)
		if err != nil {
			return nil, err
		}
		res.MemoryAfter = &m
		if res.HeldAtMemory > 0 {
			res.BytesPerSession = (float64(m.RSS) - float64(res.MemoryBefore.RSS)) / float64(res.HeldAtMemory)
		}
	}
	res.RoutedHeld, res.Routed, err = set.route(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("load: idle sessions: the routing run beside %d sessions: %w", res.RoutedHeld, err)
	}
	if res.Baseline.Throughput > 0 {
		res.Ratio = res.Routed.Throughput / res.Baseline.Throughput
	}
	res.Accepted, res.FilterRefused = int(set.accepted.Load()), int(set.filterRefused.Load())
	res.Refused, res.Closed = int(set.refused.Load()), int(set.closed.Load())
	set.mu.Lock()
	res.Released = set.released
	set.mu.Unlock()
	return res, nil
}

// routeRetry is the time between two attempts of a routing run whose
// clients the broker refused while it dropped released sessions.
const routeRetry = 20 * time.Millisecond

// route makes the routing run of cfg beside the held sessions and
// returns how many were held. At a broker that refused sessions it first
// releases two, and retries the run, for at most cfg.Stall, while the
// broker refuses its clients: it frees the released places only once it
// has read their DISCONNECT.
func (s *idleSet) route(ctx context.Context, cfg Config) (int, *Result, error) {
	if s.refused.Load()+s.closed.Load() > 0 {
		s.release(2)
	}
	held := s.held()
	deadline := time.Now().Add(cfg.Stall)
	for {
		res, err := Run(ctx, cfg)
		if err == nil || !refusedByBroker(err) || time.Now().After(deadline) {
			return held, res, err
		}
		select {
		case <-ctx.Done():
			return held, nil, ctx.Err()
		case <-time.After(routeRetry):
		}
	}
}

func (r *IdleSessionsResult) String() string {
	base, routed := r.Baseline, r.Routed
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d of %d sessions held", label(&routed.Config), routed.Config.Scenario(), r.Accepted+r.FilterRefused, r.Sessions)
	if n := r.FilterRefused + r.Refused + r.Closed; n > 0 {
		fmt.Fprintf(&b, " (filter refused %d, refused %d, closed %d)", r.FilterRefused, r.Refused, r.Closed)
	}
	fmt.Fprintf(&b, ", set up in %v", roundDuration(r.SetupTime))
	if r.MemoryAfter != nil {
		fmt.Fprintf(&b, "; broker RSS %s before, %s with %d held: %.0f bytes per session",
			mib(r.MemoryBefore.RSS), mib(r.MemoryAfter.RSS), r.HeldAtMemory, r.BytesPerSession)
	}
	fmt.Fprintf(&b, "; routing to one %.0f msg/s beside %d, %.0f msg/s beside %d: ratio %.2f; p50 %v and %v, p99 %v and %v; lost %d and %d",
		base.Throughput, r.BaselineHeld, routed.Throughput, r.RoutedHeld, r.Ratio,
		roundDuration(base.Latency.P50), roundDuration(routed.Latency.P50),
		roundDuration(base.Latency.P99), roundDuration(routed.Latency.P99), base.Lost, routed.Lost)
	return b.String()
}

// TSVHeader names the columns of TSV.
func (r *IdleSessionsResult) TSVHeader() string {
	return "broker\tscenario\tsessions\theld\trefused\tsetup s\tRSS before MiB\tRSS after MiB\tbytes/session\tbaseline held\tbaseline msg/s\trouted held\trouted msg/s\tratio\tbaseline p50 µs\trouted p50 µs\tbaseline p99 µs\trouted p99 µs\trouted lost"
}

// TSV formats the result as one row under TSVHeader; the memory columns
// are empty without the broker's process id.
func (r *IdleSessionsResult) TSV() string {
	base, routed := r.Baseline, r.Routed
	before, after, per := "", "", ""
	if r.MemoryAfter != nil {
		before = fmt.Sprintf("%.1f", float64(r.MemoryBefore.RSS)/(1<<20))
		after = fmt.Sprintf("%.1f", float64(r.MemoryAfter.RSS)/(1<<20))
		per = fmt.Sprintf("%.0f", r.BytesPerSession)
	}
	us := func(d time.Duration) string { return fmt.Sprintf("%.0f", float64(d)/1e3) }
	return strings.Join([]string{
		label(&routed.Config), routed.Config.Scenario(), strconv.Itoa(r.Sessions),
		strconv.Itoa(r.Accepted + r.FilterRefused), strconv.Itoa(r.FilterRefused + r.Refused + r.Closed),
		fmt.Sprintf("%.2f", r.SetupTime.Seconds()), before, after, per,
		strconv.Itoa(r.BaselineHeld), fmt.Sprintf("%.0f", base.Throughput),
		strconv.Itoa(r.RoutedHeld), fmt.Sprintf("%.0f", routed.Throughput), fmt.Sprintf("%.2f", r.Ratio),
		us(base.Latency.P50), us(routed.Latency.P50), us(base.Latency.P99), us(routed.Latency.P99),
		strconv.FormatInt(routed.Lost, 10),
	}, "\t")
}
