package load

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// subscriber counts and times the messages one connection receives. Only
// its own goroutine touches latency and last; the counters are read by the
// run while it waits for deliveries to end.
type subscriber struct {
	index int
	c     *conn
	cfg   *Config
	base  time.Time

	received   atomic.Uint64 // messages from this run, each counted once
	duplicates atomic.Uint64 // sequence numbers seen again or out of order
	foreign    atomic.Uint64 // messages without a valid stamp
	lastAt     atomic.Int64  // when the last message arrived, since base

	latency Histogram
	last    []int64 // by publisher: the highest sequence number seen, -1 for none
}

func newSubscriber(index int, c *conn, cfg *Config, base time.Time) *subscriber {
	s := &subscriber{index: index, c: c, cfg: cfg, base: base, last: make([]int64, cfg.Publishers)}
	for i := range s.last {
		s.last[i] = -1
	}
	return s
}

// run reads until the connection is interrupted or fails, then closes it.
func (s *subscriber) run() error {
	err := s.read()
	s.c.close()
	return err
}

func (s *subscriber) read() error {
	who := fmt.Sprintf("subscriber %d", s.index)
	for {
		pk, err := s.c.r.ReadPacket()
		if err != nil {
			return s.c.readError(who, err)
		}
		msg, ok := pk.(*packet.Publish)
		if !ok {
			return fmt.Errorf("load: %s: got %v, want PUBLISH", who, pk.Type())
		}
		now := time.Since(s.base)
		s.count(msg.Payload, now)
		s.lastAt.Store(int64(now))
		if msg.QoS == 1 {
			if err := s.c.writePuback(msg.PacketID); err != nil {
				return s.c.readError(who, err)
			}
		}
	}
}

// count accounts for one message received at now.
func (s *subscriber) count(payload []byte, now time.Duration) {
	st, err := readStamp(payload)
	if err != nil || int(st.Publisher) >= len(s.last) {
		s.foreign.Add(1)
		return
	}
	s.latency.Record(now - st.Sent)
	if int64(st.Seq) <= s.last[st.Publisher] {
		s.duplicates.Add(1)
		return
	}
	s.last[st.Publisher] = int64(st.Seq)
	s.received.Add(1)
}
