package load

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// publisher publishes stamped messages on one connection. At QoS 1 it
// keeps at most window messages unacknowledged: the identifiers not in
// flight wait in free, and a second goroutine reads the PUBACKs and
// returns their identifiers.
type publisher struct {
	index int
	c     *conn
	cfg   *Config
	base  time.Time // the run's clock origin, shared with the subscribers

	written atomic.Uint64 // PUBLISH packets buffered for sending
	acked   atomic.Uint64 // PUBACKs received (QoS 1)

	free     chan uint16
	inFlight []atomic.Bool  // by packet identifier
	sentAt   []atomic.Int64 // by packet identifier: when it was written, since base

	// How long the broker held this publisher (QoS 1): the longest wait
	// from a PUBLISH to its PUBACK; the longest gap without a PUBACK while
	// a message waited for one (from the later of the previous PUBACK and
	// the message's PUBLISH); and the sum of such gaps of at least
	// StallGap.
	ackWaitMax atomic.Int64
	ackGapMax  atomic.Int64
	ackStalled atomic.Int64

	// topics, when set, replaces cfg.Topic: message i goes to
	// topics[i%len(topics)].
	topics [][]byte
}

// StallGap is the shortest gap without a PUBACK, while a message waits
// for one, that Result.AckStalled counts.
const StallGap = 100 * time.Millisecond

func newPublisher(index int, c *conn, cfg *Config, base time.Time) *publisher {
	p := &publisher{index: index, c: c, cfg: cfg, base: base}
	if cfg.QoS == 1 {
		p.free = make(chan uint16, cfg.Window)
		p.inFlight = make([]atomic.Bool, cfg.Window+1)
		p.sentAt = make([]atomic.Int64, cfg.Window+1)
		for id := 1; id <= cfg.Window; id++ {
			p.free <- uint16(id)
		}
	}
	return p
}

// sent reports the messages that count as published: acknowledged ones at
// QoS 1, written ones at QoS 0.
func (p *publisher) sent() uint64 {
	if p.cfg.QoS == 1 {
		return p.acked.Load()
	}
	return p.written.Load()
}

// run publishes until the count is reached, the deadline passes or ctx is
// done, then waits (within the drain time) for the outstanding PUBACKs.
// ackErr carries the PUBACK reader's failure, if any.
func (p *publisher) run(ctx context.Context, start, end time.Time, ackErr <-chan error) error {
	cfg := p.cfg
	payload := make([]byte, cfg.PayloadSize)
	for i := StampSize; i < len(payload); i++ {
		payload[i] = byte('a' + i%26)
	}
	msg := packet.Publish{QoS: packet.QoS(cfg.QoS), Topic: []byte(cfg.Topic), Payload: payload}
	topics := p.topics
	if len(topics) == 0 {
		topics = [][]byte{msg.Topic}
	}
	var interval time.Duration
	if cfg.Rate > 0 {
		interval = time.Second / time.Duration(cfg.Rate)
	}
	done := ctx.Done()

publishing:
	for seq := uint32(0); cfg.Count == 0 || int(seq) < cfg.Count; seq++ {
		now := time.Now()
		if interval > 0 {
			if due := start.Add(time.Duration(seq) * interval); now.Before(due) {
				if err := p.c.w.Flush(); err != nil {
					return p.writeError(err)
				}
				time.Sleep(due.Sub(now))
				now = time.Now()
			}
		}
		if cfg.Count == 0 && !now.Before(end) {
			break
		}
		select {
		case <-done:
			break publishing
		default:
		}
		if cfg.QoS == 1 {
			id, err := p.takeID(done, ackErr)
			if err != nil {
				return err
			}
			if id == 0 {
				break publishing
			}
			msg.PacketID = id
		}
		msg.Topic = topics[int(seq)%len(topics)]
		sentAt := time.Since(p.base)
		if cfg.QoS == 1 {
			p.sentAt[msg.PacketID].Store(int64(sentAt))
		}
		stamp{Sent: sentAt, Publisher: uint32(p.index), Seq: seq}.put(payload)
		if err := p.c.writePublish(&msg); err != nil {
			return p.writeError(err)
		}
		p.written.Add(1)
	}
	if err := p.c.w.Flush(); err != nil {
		return p.writeError(err)
	}
	if cfg.QoS == 1 {
		return p.awaitAcks(ctx, ackErr)
	}
	return nil
}

// takeID returns a free packet identifier, flushing first when it has to
// wait for one; 0 means the run is over.
func (p *publisher) takeID(done <-chan struct{}, ackErr <-chan error) (uint16, error) {
	var id uint16
	select {
	case id = <-p.free:
	default:
		if err := p.c.w.Flush(); err != nil {
			return 0, p.writeError(err)
		}
		select {
		case id = <-p.free:
		case <-done:
			return 0, nil
		case err := <-ackErr:
			return 0, err
		}
	}
	p.inFlight[id].Store(true)
	return id, nil
}

// awaitAcks waits until every identifier is free again, that is until all
// messages are acknowledged, or until no PUBACK has come for the drain time.
func (p *publisher) awaitAcks(ctx context.Context, ackErr <-chan error) error {
	idle := time.NewTimer(p.cfg.Drain)
	defer idle.Stop()
	for range p.cfg.Window {
		select {
		case <-p.free:
			idle.Reset(p.cfg.Drain)
		case <-idle.C:
			return nil // the shortfall shows as unacknowledged messages
		case <-ctx.Done():
			return nil
		case err := <-ackErr:
			return err
		}
	}
	return nil
}

// readAcks reads PUBACKs until the connection closes.
func (p *publisher) readAcks() error {
	who := fmt.Sprintf("publisher %d", p.index)
	var lastAck time.Duration
	for {
		pk, err := p.c.r.ReadPacket()
		if err != nil {
			return p.c.readError(who, err)
		}
		ack, ok := pk.(*packet.Puback)
		if !ok {
			return fmt.Errorf("load: %s: got %v, want PUBACK", who, pk.Type())
		}
		id := int(ack.PacketID)
		if id < 1 || id >= len(p.inFlight) || !p.inFlight[id].CompareAndSwap(true, false) {
			return fmt.Errorf("load: %s: PUBACK for packet %d, which is not in flight", who, id)
		}
		now := time.Since(p.base)
		sentAt := time.Duration(p.sentAt[id].Load())
		storeMax(&p.ackWaitMax, now-sentAt)
		gap := now - max(lastAck, sentAt)
		storeMax(&p.ackGapMax, gap)
		if gap >= StallGap {
			p.ackStalled.Add(int64(gap))
		}
		lastAck = now
		p.acked.Add(1)
		p.free <- ack.PacketID
	}
}

// storeMax raises v to d if d is larger.
func storeMax(v *atomic.Int64, d time.Duration) {
	for {
		old := v.Load()
		if int64(d) <= old || v.CompareAndSwap(old, int64(d)) {
			return
		}
	}
}

// noteUnacked counts the messages still waiting for their PUBACK at now,
// since base, as waits at least that long: a broker that never answers
// held the publisher at least until the run stopped waiting.
func (p *publisher) noteUnacked(now time.Duration) {
	for id := range p.inFlight {
		if p.inFlight[id].Load() {
			storeMax(&p.ackWaitMax, now-time.Duration(p.sentAt[id].Load()))
		}
	}
}

func (p *publisher) writeError(err error) error {
	if p.c.closing.Load() {
		return nil
	}
	return fmt.Errorf("load: publisher %d: %w", p.index, err)
}
