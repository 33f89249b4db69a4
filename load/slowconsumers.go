package load

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// SlowConsumers describes the slow-consumers scenario: Slow subscribers
// subscribe at QoS 1 to Filter with a small socket receive buffer and then
// never read again, while one publisher publishes to Config.Topic at QoS 1
// and one fast subscriber of that topic reads everything. A broker must
// neither hold the publisher for long (Result.AckWaitMax) nor slow the
// fast subscriber down on their account.
type SlowConsumers struct {
	// Config is the run of the publisher and the fast subscriber: its
	// Publishers, Subscribers and QoS are set to 1, 1 and 1; the rest
	// applies as for Run.
	Config Config

	Slow          int    // slow subscribers; default 100
	ReceiveBuffer int    // their SO_RCVBUF in bytes; default 4096
	Filter        string // what they subscribe to; default Config.Topic + "/#"
}

// Defaults of the slow-consumers scenario.
const (
	DefaultSlow          = 100
	DefaultReceiveBuffer = 4096
)

// SlowConsumersResult is what the slow-consumers scenario measured. Run is
// the publisher's and the fast subscriber's run: its Throughput is the
// fast subscriber's msg/s, SendRate the publisher's, Lost the fast
// subscriber's loss, and AckWaitMax the longest the broker held the
// publisher.
type SlowConsumersResult struct {
	Slow          int     `json:"slow"`
	ReceiveBuffer int     `json:"receive_buffer"`
	Filter        string  `json:"filter"`
	Run           *Result `json:"run"`
}

// RunSlowConsumers connects and subscribes the slow subscribers, then
// makes the run of Config while they hold their subscriptions and read
// nothing, and closes them.
func RunSlowConsumers(ctx context.Context, sc SlowConsumers) (*SlowConsumersResult, error) {
	cfg := sc.Config
	cfg.Publishers, cfg.Subscribers, cfg.QoS = 1, 1, 1
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if sc.Slow == 0 {
		sc.Slow = DefaultSlow
	}
	if sc.ReceiveBuffer == 0 {
		sc.ReceiveBuffer = DefaultReceiveBuffer
	}
	if sc.Filter == "" {
		sc.Filter = cfg.Topic + "/#"
	}
	if sc.Slow < 0 || sc.ReceiveBuffer < 0 {
		return nil, fmt.Errorf("load: slow consumers: %d slow subscribers with %d-byte buffers, want neither negative", sc.Slow, sc.ReceiveBuffer)
	}
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("slow-consumers-%dx%dB-q1-%dB", sc.Slow, sc.ReceiveBuffer, cfg.PayloadSize)
	}

	runID := fmt.Sprintf("%x", uint32(time.Now().UnixNano()))
	slow := make([]*conn, 0, sc.Slow)
	defer func() {
		for _, c := range slow {
			c.abort()
		}
	}()
	for i := range sc.Slow {
		c, err := dialWith(ctx, cfg.Addr, dialOptions{
			clientID: fmt.Sprintf("gatoload-%s-slow%d", runID, i),
			clean:    true, readBuf: 512, writeBuf: 512, rcvBuf: sc.ReceiveBuffer, timeout: cfg.Stall,
		})
		if err != nil {
			return nil, fmt.Errorf("load: slow subscriber %d of %d: %w", i, sc.Slow, err)
		}
		slow = append(slow, c)
		if err := c.subscribe(sc.Filter, packet.QoS(1)); err != nil {
			return nil, fmt.Errorf("load: slow subscriber %d of %d: %w", i, sc.Slow, err)
		}
		// From here on nothing reads it: the broker's writes fill the
		// small receive buffer, then the broker's own.
		c.ready()
	}
	res, err := Run(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("load: slow consumers: the run beside %d slow subscribers: %w", sc.Slow, err)
	}
	return &SlowConsumersResult{Slow: sc.Slow, ReceiveBuffer: sc.ReceiveBuffer, Filter: sc.Filter, Run: res}, nil
}

func (r *SlowConsumersResult) String() string {
	res := r.Run
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: fast subscriber %.0f msg/s, received %d of %d, lost %d (%.2f%%); publisher %.0f msg/s, held at most %v (longest PUBACK gap %v, %v in gaps of %v or more)",
		label(&res.Config), res.Config.Scenario(), res.Throughput, res.Delivered, res.Sent, res.Lost, 100*res.LossRatio(),
		res.SendRate, roundDuration(res.AckWaitMax), roundDuration(res.AckGapMax), roundDuration(res.AckStalled), StallGap)
	if res.Unacked > 0 {
		fmt.Fprintf(&b, ", %d unacked", res.Unacked)
	}
	fmt.Fprintf(&b, "; latency p50 %v p99 %v", roundDuration(res.Latency.P50), roundDuration(res.Latency.P99))
	return b.String()
}

// TSVHeader names the columns of TSV.
func (r *SlowConsumersResult) TSVHeader() string {
	return "broker\tscenario\tslow subscribers\tpublished\tpublisher msg/s\tpublisher held max ms\tlongest PUBACK gap ms\tPUBACK gaps ≥100ms total ms\tfast received\tfast lost\tfast loss %\tfast msg/s\tp99 µs"
}

// TSV formats the result as one row under TSVHeader.
func (r *SlowConsumersResult) TSV() string {
	res := r.Run
	return strings.Join([]string{
		label(&res.Config), res.Config.Scenario(), strconv.Itoa(r.Slow),
		strconv.FormatUint(res.Sent, 10), fmt.Sprintf("%.0f", res.SendRate),
		ms(res.AckWaitMax), ms(res.AckGapMax), ms(res.AckStalled),
		strconv.FormatUint(res.Delivered, 10), strconv.FormatInt(res.Lost, 10), fmt.Sprintf("%.2f", 100*res.LossRatio()),
		fmt.Sprintf("%.0f", res.Throughput), fmt.Sprintf("%.0f", float64(res.Latency.P99)/1e3),
	}, "\t")
}
