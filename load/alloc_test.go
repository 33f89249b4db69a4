package load

import (
	"bufio"
	"io"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// repeater reads the same bytes over and over.
type repeater struct {
	b   []byte
	off int
}

func (r *repeater) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.b[r.off:])
		n += c
		r.off = (r.off + c) % len(r.b)
	}
	return n, nil
}

// The client must not allocate per message, or it would measure the Go
// garbage collector rather than the broker.
func TestClientHotPathDoesNotAllocate(t *testing.T) {
	cfg := &Config{Publishers: 1, Subscribers: 1, QoS: 1, PayloadSize: 64, Topic: DefaultTopic}
	base := time.Now()

	c := &conn{w: bufio.NewWriterSize(io.Discard, 4096), enc: make([]byte, 0, 256)}
	payload := make([]byte, cfg.PayloadSize)
	msg := packet.Publish{QoS: 1, Topic: []byte(cfg.Topic), Payload: payload, PacketID: 1}
	seq := uint32(0)
	publish := func() {
		stamp{Sent: time.Since(base), Seq: seq}.put(payload)
		seq++
		if err := c.writePublish(&msg); err != nil {
			t.Fatal(err)
		}
	}
	publish() // warm the encoding buffer
	if a := testing.AllocsPerRun(1000, publish); a != 0 {
		t.Errorf("publishing allocates %v times per message", a)
	}

	// A stream of the same stamped PUBLISH, received and acknowledged.
	wire, err := msg.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	r := packet.NewReader(&repeater{b: wire}, make([]byte, 4096))
	s := newSubscriber(0, c, cfg, base)
	receive := func() {
		pk, err := r.ReadPacket()
		if err != nil {
			t.Fatal(err)
		}
		m := pk.(*packet.Publish)
		s.count(m.Payload, time.Since(base))
		if err := c.writePuback(m.PacketID); err != nil {
			t.Fatal(err)
		}
	}
	receive()
	if a := testing.AllocsPerRun(1000, receive); a != 0 {
		t.Errorf("receiving allocates %v times per message", a)
	}
	if s.latency.Count() == 0 || s.duplicates.Load() == 0 {
		t.Fatalf("the repeated message was not counted: %d samples, %d duplicates", s.latency.Count(), s.duplicates.Load())
	}
}
