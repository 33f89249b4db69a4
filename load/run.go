package load

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// ErrStalled reports a run in which nothing moved for Config.Stall.
var ErrStalled = errors.New("the broker stalled")

// Result is what one run measured.
type Result struct {
	Config Config `json:"config"`

	// Publishing lasted PublishTime; deliveries ended DeliveryTime after
	// publishing started (at the last message any subscriber received).
	PublishTime  time.Duration `json:"publish_ns"`
	DeliveryTime time.Duration `json:"delivery_ns"`

	// Sent counts the messages published: acknowledged by the broker at
	// QoS 1, written to the socket at QoS 0. Unacked counts QoS 1 messages
	// written but still unacknowledged when the run gave up waiting.
	Sent    uint64 `json:"sent"`
	Unacked uint64 `json:"unacked"`

	// Expected is Sent times the number of subscribers. Delivered counts
	// the messages subscribers received, each once; Lost is the difference
	// (negative when unacknowledged messages arrived all the same).
	Expected   uint64 `json:"expected"`
	Delivered  uint64 `json:"delivered"`
	Lost       int64  `json:"lost"`
	Duplicates uint64 `json:"duplicates"` // received again or out of order
	Foreign    uint64 `json:"foreign"`    // messages this run did not publish

	PerSubscriber []SubscriberResult `json:"subscribers"`

	Throughput float64 `json:"delivered_per_s"` // Delivered per second of DeliveryTime
	SendRate   float64 `json:"sent_per_s"`      // Sent per second of PublishTime

	Latency Latency `json:"latency"`

	// At QoS 1, how long the broker held the publishers: the longest wait
	// from a PUBLISH to its PUBACK (a message never acknowledged counts
	// until the run stopped waiting for it), the longest gap without a
	// PUBACK while a message waited for one, and the sum of such gaps of
	// StallGap or more, each over all publishers (the sum added up).
	AckWaitMax time.Duration `json:"ack_wait_max_ns"`
	AckGapMax  time.Duration `json:"ack_gap_max_ns"`
	AckStalled time.Duration `json:"ack_stalled_ns"`

	// Memory of the broker process (Config.PID) once all clients had
	// connected and subscribed, and after the deliveries, before the
	// clients disconnected. Nil without a PID.
	MemoryBefore *Memory `json:"memory_before,omitempty"`
	MemoryAfter  *Memory `json:"memory_after,omitempty"`
}

// SubscriberResult is what one subscriber received.
type SubscriberResult struct {
	Received   uint64 `json:"received"`
	Lost       int64  `json:"lost"` // Sent - Received
	Duplicates uint64 `json:"duplicates"`
}

// Latency summarises the time from publishing a message to receiving it,
// over every delivery to every subscriber.
type Latency struct {
	Samples uint64        `json:"samples"`
	Min     time.Duration `json:"min_ns"`
	Mean    time.Duration `json:"mean_ns"`
	P50     time.Duration `json:"p50_ns"`
	P99     time.Duration `json:"p99_ns"`
	Max     time.Duration `json:"max_ns"`
}

// LossRatio reports Lost as a fraction of Expected.
func (r *Result) LossRatio() float64 {
	if r.Expected == 0 {
		return 0
	}
	return float64(r.Lost) / float64(r.Expected)
}

// Run connects the subscribers, waits until each holds its subscription,
// connects the publishers, publishes as cfg says, waits for the deliveries
// to end, and reports. It fails on the first protocol or connection error;
// cancelling ctx ends the run early and reports what was measured so far.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return runChecked(ctx, cfg, nil)
}

// runPhase is Run for the phases of the attack scenarios: cfg may have no
// subscribers (a run that only publishes), and topics, when given,
// replaces cfg.Topic for the publishers, which send message i to
// topics[i%len(topics)].
func runPhase(ctx context.Context, cfg Config, topics []string) (*Result, error) {
	subs := cfg.Subscribers
	cfg.Subscribers = max(subs, 1)
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	cfg.Subscribers = subs
	bs := make([][]byte, len(topics))
	for i, t := range topics {
		bs[i] = []byte(t)
	}
	return runChecked(ctx, cfg, bs)
}

func runChecked(ctx context.Context, cfg Config, topics [][]byte) (*Result, error) {
	r := &runner{cfg: &cfg, base: time.Now(), topics: topics}
	defer r.wg.Wait()
	defer r.abortAll()
	return r.run(ctx)
}

type runner struct {
	cfg    *Config
	base   time.Time
	topics [][]byte // for the publishers, instead of cfg.Topic
	subs   []*subscriber
	pubs   []*publisher
	wg     sync.WaitGroup // every goroutine of the run

	mu    sync.Mutex
	conns []*conn
}

func (r *runner) run(ctx context.Context) (*Result, error) {
	cfg := r.cfg
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	fail := func(err error) {
		if err != nil {
			cancel(err)
		}
	}
	// A failure anywhere closes every connection, which unblocks the rest.
	stopAbort := context.AfterFunc(ctx, r.abortAll)
	defer stopAbort()

	runID := fmt.Sprintf("%x", r.base.UnixNano()&0xffffffff)
	bufSize := 2*(cfg.PayloadSize+len(cfg.Topic)+16) + 16<<10

	var subWG sync.WaitGroup
	for i := range cfg.Subscribers {
		c, err := dial(ctx, cfg.Addr, cfg.Dial, fmt.Sprintf("gatoload-%s-s%d", runID, i), bufSize, 4<<10, true, cfg.Stall)
		if err != nil {
			return nil, err
		}
		r.track(c)
		if err := c.subscribe(cfg.Topic, packet.QoS(cfg.QoS)); err != nil {
			return nil, fmt.Errorf("subscriber %d: %w", i, err)
		}
		c.ready()
		s := newSubscriber(i, c, cfg, r.base)
		r.subs = append(r.subs, s)
		subWG.Add(1)
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			defer subWG.Done()
			fail(s.run())
		}()
	}
	for i := range cfg.Publishers {
		c, err := dial(ctx, cfg.Addr, cfg.Dial, fmt.Sprintf("gatoload-%s-p%d", runID, i), 16<<10, 64<<10, false, cfg.Stall)
		if err != nil {
			return nil, err
		}
		r.track(c)
		c.ready()
		p := newPublisher(i, c, cfg, r.base)
		p.topics = r.topics
		r.pubs = append(r.pubs, p)
	}

	res := &Result{Config: *cfg}
	if cfg.PID > 0 {
		m, err := ReadMemory(cfg.PID)
		if err != nil {
			return nil, err
		}
		res.MemoryBefore = &m
	}

	start := time.Now()
	end := start.Add(cfg.Duration)
	var pubWG sync.WaitGroup
	for _, p := range r.pubs {
		ackErr := make(chan error, 1)
		if cfg.QoS == 1 {
			r.wg.Add(1)
			go func() {
				defer r.wg.Done()
				ackErr <- p.readAcks()
			}()
		}
		pubWG.Add(1)
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			defer pubWG.Done()
			err := p.run(ctx, start, end, ackErr)
			p.c.close()
			fail(err)
		}()
	}
	r.watch(&pubWG, cancel)
	res.PublishTime = time.Since(start)
	now := time.Since(r.base)
	for _, p := range r.pubs {
		if cfg.QoS == 1 {
			p.noteUnacked(now)
		}
		res.Sent += p.sent()
		res.Unacked += p.written.Load() - p.sent()
	}

	r.awaitDeliveries(ctx, res.Sent)
	if cfg.PID > 0 {
		if m, err := ReadMemory(cfg.PID); err == nil {
			res.MemoryAfter = &m
		} else {
			fail(err)
		}
	}
	for _, s := range r.subs {
		s.c.interrupt()
	}
	subWG.Wait()

	// A run cancelled from outside reports what it measured; one that
	// failed reports why.
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) && !errors.Is(cause, context.DeadlineExceeded) {
		return nil, cause
	}
	r.summarise(res, start)
	return res, nil
}

// watch waits for the publishers to finish, and fails the run if nothing
// moves for Config.Stall, so that a broker that stops reading or
// acknowledging cannot hang it.
func (r *runner) watch(pubs *sync.WaitGroup, cancel context.CancelCauseFunc) {
	finished := make(chan struct{})
	go func() {
		pubs.Wait()
		close(finished)
	}()
	tick := time.NewTicker(min(100*time.Millisecond, r.cfg.Stall/4))
	defer tick.Stop()
	var lastProgress uint64
	lastAt := time.Now()
	for {
		select {
		case <-finished:
			return
		case <-tick.C:
		}
		if p := r.progress(); p != lastProgress {
			lastProgress, lastAt = p, time.Now()
		} else if time.Since(lastAt) >= r.cfg.Stall {
			cancel(fmt.Errorf("load: no message written, acknowledged or received for %v: %w", r.cfg.Stall, ErrStalled))
			<-finished
			return
		}
	}
}

// progress sums every counter that moves while a run makes progress.
func (r *runner) progress() uint64 {
	var n uint64
	for _, p := range r.pubs {
		n += p.written.Load() + p.acked.Load()
	}
	for _, s := range r.subs {
		n += s.received.Load() + s.duplicates.Load() + s.foreign.Load()
	}
	return n
}

// awaitDeliveries waits until every subscriber has received sent messages,
// or until none has received anything for the drain time, or ctx is done.
func (r *runner) awaitDeliveries(ctx context.Context, sent uint64) {
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	lastProgress := time.Now()
	var lastTotal uint64
	for {
		complete, total := true, uint64(0)
		for _, s := range r.subs {
			n := s.received.Load() + s.duplicates.Load() + s.foreign.Load()
			total += n
			if s.received.Load() < sent {
				complete = false
			}
		}
		if complete {
			return
		}
		if total != lastTotal {
			lastTotal, lastProgress = total, time.Now()
		} else if time.Since(lastProgress) >= r.cfg.Drain {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (r *runner) summarise(res *Result, start time.Time) {
	var lat Histogram
	var lastAt time.Duration
	for _, s := range r.subs {
		got := s.received.Load()
		sr := SubscriberResult{Received: got, Lost: int64(res.Sent) - int64(got), Duplicates: s.duplicates.Load()}
		res.PerSubscriber = append(res.PerSubscriber, sr)
		res.Delivered += got
		res.Duplicates += sr.Duplicates
		res.Foreign += s.foreign.Load()
		lat.Merge(&s.latency)
		lastAt = max(lastAt, time.Duration(s.lastAt.Load()))
	}
	res.Expected = res.Sent * uint64(len(r.subs))
	for _, p := range r.pubs {
		res.AckWaitMax = max(res.AckWaitMax, time.Duration(p.ackWaitMax.Load()))
		res.AckGapMax = max(res.AckGapMax, time.Duration(p.ackGapMax.Load()))
		res.AckStalled += time.Duration(p.ackStalled.Load())
	}
	res.Lost = int64(res.Expected) - int64(res.Delivered)
	res.DeliveryTime = res.PublishTime
	if lastAt > 0 {
		res.DeliveryTime = lastAt - start.Sub(r.base)
	}
	if res.DeliveryTime > 0 {
		res.Throughput = float64(res.Delivered) / res.DeliveryTime.Seconds()
	}
	if res.PublishTime > 0 {
		res.SendRate = float64(res.Sent) / res.PublishTime.Seconds()
	}
	res.Latency = Latency{
		Samples: lat.Count(),
		Min:     lat.Min(),
		Mean:    lat.Mean(),
		P50:     lat.Quantile(0.50),
		P99:     lat.Quantile(0.99),
		Max:     lat.Max(),
	}
}

func (r *runner) track(c *conn) {
	r.mu.Lock()
	r.conns = append(r.conns, c)
	r.mu.Unlock()
}

// abortAll closes every connection; later closes of the same ones are harmless.
func (r *runner) abortAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.conns {
		c.abort()
	}
}
