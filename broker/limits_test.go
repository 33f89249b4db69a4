package broker_test

import (
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/brokertest"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

func TestRateLimit(t *testing.T) {
	clock := brokertest.NewClock(time.Unix(0, 0))
	lim := smallLimits()
	lim.PublishRate, lim.PublishBurst = 10, 2
	b := newBroker(t, broker.Config{Limits: lim, Clock: clock})
	sub := mustConnect(t, b, "sub", true)
	sub.subscribe("t", 1)
	pub := mustConnect(t, b, "pub", true)

	// A burst of two, then QoS 0 beyond the rate is dropped.
	for i := range 3 {
		pub.publish("t", strconv.Itoa(i), 0, false)
	}
	sub.expectPublish("t", "0")
	sub.expectPublish("t", "1")
	sub.expectNothing()
	st := b.Stats()
	if st.RateLimited != 1 || st.DroppedBy[broker.DropRateLimited] != 1 {
		t.Fatalf("RateLimited %d, dropped %d; want 1 and 1", st.RateLimited, st.DroppedBy[broker.DropRateLimited])
	}

	// QoS 1 beyond the rate waits for a token instead of being lost.
	pub.send(packet.Publish{Topic: []byte("t"), Payload: []byte("slow"), QoS: 1, PacketID: 1})
	waitFor(t, func() bool { return b.Stats().RateLimited == 2 })
	sub.expectNothing()
	clock.Advance(100 * time.Millisecond)
	if ack := recvAs[*packet.Puback](pub); ack.PacketID != 1 {
		t.Fatalf("PUBACK %d", ack.PacketID)
	}
	sub.ack(sub.expectPublish("t", "slow"))

	// The bucket refills at the rate, up to the burst.
	clock.Advance(time.Second)
	pub.publish("t", "a", 0, false)
	pub.publish("t", "b", 0, false)
	pub.publish("t", "c", 0, false)
	sub.expectPublish("t", "a")
	sub.expectPublish("t", "b")
	sub.expectNothing()
}

// rawClient connects without a reader goroutine, so a test can stop
// reading and play a slow consumer.
func rawClient(t *testing.T, b *broker.Broker, id, filter string, qos packet.QoS) (net.Conn, *packet.Reader) {
	t.Helper()
	srv, cli := net.Pipe()
	go b.ServeConn(srv)
	t.Cleanup(func() { cli.Close() })
	cli.SetDeadline(time.Now().Add(wait))
	rd := packet.NewReader(cli, make([]byte, 4096))
	for _, p := range []packet.Packet{
		packet.Connect{ClientID: []byte(id), CleanSession: true},
		packet.Subscribe{PacketID: 1, Filters: []packet.Filter{{Topic: []byte(filter), QoS: qos}}},
	} {
		buf, _ := p.Append(nil)
		if _, err := cli.Write(buf); err != nil {
			t.Fatal(err)
		}
		if _, err := rd.ReadPacket(); err != nil {
			t.Fatal(err)
		}
	}
	return cli, rd
}

func TestSlowConsumer(t *testing.T) {
	lim := smallLimits()
	lim.OutboxBytes = 1024
	b := newBroker(t, broker.Config{Limits: lim})
	slow, rd := rawClient(t, b, "slow", "t", 0)
	fast := mustConnect(t, b, "fast", true)
	fast.subscribe("t", 0)
	pub := mustConnect(t, b, "pub", true)

	const n = 300
	payload := make([]byte, 60)
	for i := range n {
		copy(payload, strconv.Itoa(i)+"          ")
		pub.send(packet.Publish{Topic: []byte("t"), Payload: payload, QoS: 1, PacketID: uint16(i + 1)})
		recvAs[*packet.Puback](pub) // the publisher is never held up
		fast.expectPublish("t", string(payload))
	}
	st := b.Stats()
	dropped := st.DroppedBy[broker.DropQueueFull]
	if dropped == 0 {
		t.Fatal("nothing dropped for a consumer that does not read")
	}

	// The slow consumer gets what was not dropped, in order.
	slow.SetDeadline(time.Now().Add(wait))
	got, last := 0, -1
	for got+int(dropped) < n {
		p, err := rd.ReadPacket()
		if err != nil {
			t.Fatalf("after %d deliveries: %v", got, err)
		}
		pp := p.(*packet.Publish)
		var i int
		for _, c := range pp.Payload {
			if c < '0' || c > '9' {
				break
			}
			i = i*10 + int(c-'0')
		}
		// Nobody read while the queue filled, so what came through is the
		// oldest messages, in order and without gaps: the newest were dropped.
		if i != last+1 {
			t.Fatalf("delivery %d after %d", i, last)
		}
		last = i
		got++
	}
	fast.expectNothing()
	t.Logf("slow consumer: %d delivered, %d dropped", got, dropped)
}

func TestClientNotReadingItsAcks(t *testing.T) {
	lim := smallLimits()
	lim.OutboxBytes = 512
	b := newBroker(t, broker.Config{Limits: lim})
	srv, cli := net.Pipe()
	defer cli.Close()
	go b.ServeConn(srv)
	buf, _ := packet.Connect{ClientID: []byte("deaf"), CleanSession: true}.Append(nil)
	for i := range 1000 {
		buf, _ = packet.Publish{Topic: []byte("t"), QoS: 1, PacketID: uint16(i + 1)}.Append(buf)
	}
	written := make(chan error, 1)
	go func() { _, err := cli.Write(buf); written <- err }()
	// Its reader stalls once its outbox is full of PUBACKs, but only its.
	other := mustConnect(t, b, "other", true)
	other.subscribe("t", 0)
	waitFor(t, func() bool { return b.Stats().MessagesIn > 100 })
	other.ping()
	select {
	case err := <-written:
		t.Fatalf("the broker read everything from a client that reads nothing: %v", err)
	default:
	}
	cli.Close()
	<-written
}

func TestLimitsValidation(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*broker.Limits)
	}{
		{"no sessions", func(l *broker.Limits) { l.MaxSessions = 0 }},
		{"no subscriptions", func(l *broker.Limits) { l.MaxSubscriptions = 0 }},
		{"no inflight", func(l *broker.Limits) { l.MaxInflight = 0 }},
		{"short client ids", func(l *broker.Limits) { l.MaxClientIDLength = 22 }},
		{"outbox below one message", func(l *broker.Limits) { l.OutboxBytes = 100 }},
		{"min keep alive above max", func(l *broker.Limits) { l.MinKeepAlive, l.MaxKeepAlive = 10, 5 }},
		{"negative rate", func(l *broker.Limits) { l.PublishRate = -1 }},
	}
	for _, tt := range tests {
		lim := smallLimits()
		tt.mod(&lim)
		if _, err := broker.New(broker.Config{Limits: lim}); !errors.Is(err, broker.ErrLimits) {
			t.Errorf("%s: New returned %v, want ErrLimits", tt.name, err)
		}
	}
}

func TestProfiles(t *testing.T) {
	for _, p := range []struct {
		name    string
		lim     broker.Limits
		ceiling int
	}{
		{"host", broker.HostLimits, 64 << 20},
		{"pico", broker.PicoLimits, 64 << 10},
		{"esp32c3", broker.ESP32C3Limits, 128 << 10},
	} {
		b, err := broker.New(broker.Config{Limits: p.lim})
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		st := b.Stats()
		if st.StateBytes <= 0 || st.StateBytes > p.ceiling {
			t.Errorf("%s: StateBytes %d, ceiling %d", p.name, st.StateBytes, p.ceiling)
		}
		t.Logf("%s: %d bytes of broker state", p.name, st.StateBytes)
		b.Close()
	}
}

func TestCloseEndsEveryConnection(t *testing.T) {
	b, err := broker.New(broker.Config{Limits: smallLimits()})
	if err != nil {
		t.Fatal(err)
	}
	c1 := mustConnect(t, b, "one", true)
	c2 := dial(t, b) // not yet connected
	waitFor(t, func() bool { return b.Stats().Connections == 2 })
	b.Close()
	for _, c := range []*client{c1, c2} {
		if err := c.expectClosed(); !errors.Is(err, broker.ErrClosed) {
			t.Errorf("ServeConn returned %v, want ErrClosed", err)
		}
	}
	if err := b.ServeConn(nopConn{}); !errors.Is(err, broker.ErrClosed) {
		t.Errorf("ServeConn after Close: %v", err)
	}
}

type nopConn struct{}

func (nopConn) Read([]byte) (int, error)    { return 0, errors.New("nop") }
func (nopConn) Write(b []byte) (int, error) { return len(b), nil }
func (nopConn) Close() error                { return nil }
