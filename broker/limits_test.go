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

// TestRateLimitRealClock runs the rate limit on the real clock, where a
// QoS 1 PUBLISH beyond the burst makes the reader sleep until its token
// is due rather than arm a timer.
func TestRateLimitRealClock(t *testing.T) {
	lim := smallLimits()
	lim.PublishRate, lim.PublishBurst = 100, 2
	b := newBroker(t, broker.Config{Limits: lim})
	sub := mustConnect(t, b, "sub", true)
	sub.subscribe("t", 1)
	pub := mustConnect(t, b, "pub", true)
	start := time.Now()
	const n = 6 // the burst of two, then a token every 10 ms
	for i := range n {
		pub.publish("t", strconv.Itoa(i), 1, false)
	}
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("%d QoS 1 messages at 100 per second with a burst of 2 took %v", n, d)
	}
	for i := range n {
		sub.ack(sub.expectPublish("t", strconv.Itoa(i)))
	}
	if st := b.Stats(); st.RateLimited == 0 || st.DroppedBy[broker.DropRateLimited] != 0 {
		t.Errorf("RateLimited %d, dropped %d; want some and none", st.RateLimited, st.DroppedBy[broker.DropRateLimited])
	}
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
		packet.NewSubscribe(1, packet.Filter{Topic: []byte(filter), QoS: qos}),
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

// seq reads the decimal number at the start of a payload.
func seq(payload []byte) int {
	n := 0
	for _, c := range payload {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func seqPayload(i int) []byte {
	return []byte(strconv.Itoa(i) + " padding to make the outbox fill up quickly......")
}

func TestSlowConsumerHoldsBackPublisher(t *testing.T) {
	lim := smallLimits() // MaxQueued 8
	lim.OutboxBytes = 1024
	b := newBroker(t, broker.Config{Limits: lim})
	slow, rd := rawClient(t, b, "slow", "t", 1)
	pub := mustConnect(t, b, "pub", true)

	// A consumer that reads, however slowly, loses nothing: the publisher
	// is held back while the consumer's queue is congested.
	const n = 300
	go func() {
		for i := range n {
			if pub.trySend(packet.Publish{Topic: []byte("t"), Payload: seqPayload(i), QoS: 1, PacketID: uint16(i + 1)}) != nil {
				return
			}
		}
	}()
	// Read nothing until the broker has held the publisher back once, so
	// that the congestion happens whatever the scheduling, then read well
	// within SlowConsumerWait.
	deadline := time.Now().Add(wait)
	for b.Stats().PublishersHeld == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("publisher never held back while nobody read: %+v", b.Stats())
		}
		time.Sleep(time.Millisecond)
	}
	slow.SetDeadline(time.Now().Add(wait))
	for i := range n {
		p, err := rd.ReadPacket()
		if err != nil {
			t.Fatalf("delivery %d: %v", i, err)
		}
		pp := p.(*packet.Publish)
		if got := seq(pp.Payload); got != i {
			t.Fatalf("delivery %d is message %d", i, got)
		}
		ack, _ := packet.Puback{PacketID: pp.PacketID}.Append(nil)
		if _, err := slow.Write(ack); err != nil {
			t.Fatal(err)
		}
	}
	st := b.Stats()
	if st.Dropped != 0 || st.PublishersHeld == 0 || st.SlowConsumers != 0 {
		t.Errorf("dropped %d, publishers held %d, slow consumers %d; want 0, >0, 0", st.Dropped, st.PublishersHeld, st.SlowConsumers)
	}
}

// TestMutualPublishersAreNotHeldByEachOther: two clients publish QoS 1 to
// each other. Each one's reader is also the only way in for its PUBACKs,
// so a reader held back for the other's congested queue must not in turn
// hold the other back: that would leave both waiting, for
// SlowConsumerWait (here never, the clock standing still), with the
// acknowledgements that would free them unread.
func TestMutualPublishersAreNotHeldByEachOther(t *testing.T) {
	clock := brokertest.NewClock(time.Unix(0, 0))
	b := newBroker(t, broker.Config{Limits: smallLimits(), Clock: clock}) // MaxInflight 4, MaxQueued 8
	a := mustConnect(t, b, "a", true)
	a.subscribe("to/a", 1)
	z := mustConnect(t, b, "z", true)
	z.subscribe("to/z", 1)
	const n = 10 // 4 in flight and 6 queued: congested, not full

	// a congests z, which acknowledges nothing yet: a is held back.
	for i := range n {
		a.publish("to/z", strconv.Itoa(i), 1, false)
	}
	waitFor(t, func() bool { return b.Stats().PublishersHeld == 1 })

	// z congests a: z must go on being read, for its acknowledgements.
	var toZ []*packet.Publish
	for i := range n {
		z.send(packet.Publish{Topic: []byte("to/a"), Payload: []byte(strconv.Itoa(i)), QoS: 1, PacketID: uint16(100 + i)})
	}
	for range n + 4 { // n PUBACKs and z's 4 messages in flight, in any order
		if p, ok := z.recv().(*packet.Publish); ok {
			toZ = append(toZ, p)
		}
	}

	// Both acknowledge everything they get, from now on.
	done := make(chan int, 2)
	ackAll := func(c *client, got []*packet.Publish) {
		acked := 0
		for acked < n {
			for _, p := range got {
				if c.trySend(packet.Puback{PacketID: p.PacketID}) != nil {
					done <- acked
					return
				}
				acked++
			}
			got = got[:0]
			if acked == n {
				break
			}
			if p, ok := <-c.in; !ok {
				break
			} else if pub, isPub := p.(*packet.Publish); isPub {
				got = append(got, pub)
			}
		}
		done <- acked
	}
	go ackAll(z, toZ)
	go ackAll(a, nil)
	for range 2 {
		select {
		case got := <-done:
			if got != n {
				t.Fatalf("a client got %d messages, want %d", got, n)
			}
		case <-time.After(wait):
			t.Fatalf("the two publishers are holding each other back: %+v", b.Stats())
		}
	}
	waitFor(t, func() bool { return b.Stats().StoredMessages == 0 })
	st := b.Stats()
	if st.Dropped != 0 || st.SlowConsumers != 0 || st.PublishersHeld != 1 {
		t.Errorf("dropped %d, slow consumers %d, publishers held %d; want 0, 0, 1", st.Dropped, st.SlowConsumers, st.PublishersHeld)
	}
}

func TestStuckConsumer(t *testing.T) {
	clock := brokertest.NewClock(time.Unix(0, 0))
	lim := smallLimits()
	lim.OutboxBytes = 1024
	lim.SlowConsumerWait = 2 * time.Second
	b := newBroker(t, broker.Config{Limits: lim, Clock: clock})
	stuck, rd := rawClient(t, b, "stuck", "t", 0)
	fast := mustConnect(t, b, "fast", true)
	fast.subscribe("t", 0)
	pub := mustConnect(t, b, "pub", true)

	// Publish until the stuck consumer's queue is congested.
	i := 0
	for b.Stats().PublishersHeld == 0 {
		pub.send(packet.Publish{Topic: []byte("t"), Payload: seqPayload(i), QoS: 1, PacketID: 1})
		recvAs[*packet.Puback](pub)
		fast.expectPublish("t", string(seqPayload(i)))
		i++
	}
	// The publisher is held back: its next message goes nowhere yet (and,
	// the pipe having no buffer, is not even read).
	sent := make(chan error, 1)
	go func() {
		sent <- pub.trySend(packet.Publish{Topic: []byte("t"), Payload: seqPayload(i), QoS: 1, PacketID: 1})
	}()
	fast.expectNothing()
	// After SlowConsumerWait the stuck consumer is given up on.
	clock.Advance(2 * time.Second)
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	recvAs[*packet.Puback](pub)
	fast.expectPublish("t", string(seqPayload(i)))
	i++
	const n = 100
	for ; i < n; i++ {
		pub.publish("t", string(seqPayload(i)), 0, false)
		fast.expectPublish("t", string(seqPayload(i)))
	}
	st := b.Stats()
	dropped := int(st.DroppedBy[broker.DropQueueFull])
	if st.SlowConsumers != 1 || st.PublishersHeld != 1 || dropped == 0 {
		t.Fatalf("slow consumers %d, publishers held %d, dropped %d; want 1, 1, >0", st.SlowConsumers, st.PublishersHeld, dropped)
	}
	// The stuck consumer then gets the oldest messages, in order and
	// without gaps: the newest were dropped.
	stuck.SetDeadline(time.Now().Add(wait))
	for j := range n - dropped {
		p, err := rd.ReadPacket()
		if err != nil {
			t.Fatalf("after %d deliveries: %v", j, err)
		}
		if got := seq(p.(*packet.Publish).Payload); got != j {
			t.Fatalf("delivery %d is message %d", j, got)
		}
	}
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
	other.subscribe("u", 0)
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
		// 2046 filters fit in 8192 bytes: a SUBACK of 2051 bytes.
		{"outbox below the largest SUBACK", func(l *broker.Limits) { l.MaxPacketSize, l.OutboxBytes = 8192, 2050 }},
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

// TestOutboxHoldsLargestSuback checks that OutboxBytes is held to, and
// defaults to, the SUBACK for the SUBSCRIBE with the most filters that
// fits in MaxPacketSize, and that such a SUBSCRIBE is answered.
func TestOutboxHoldsLargestSuback(t *testing.T) {
	lim := smallLimits()
	lim.MaxPacketSize, lim.OutboxBytes = 8192, 2051
	if _, err := broker.New(broker.Config{Limits: lim}); err != nil {
		t.Errorf("OutboxBytes 2051 for the SUBACK of 2051 bytes: %v", err)
	}
	// 16382 one-byte filters fit in 65536 bytes; their SUBACK takes 16388.
	lim.MaxPacketSize, lim.OutboxBytes = 65536, 0
	b := newBroker(t, broker.Config{Limits: lim})
	if got := b.Limits().OutboxBytes; got != 16388 {
		t.Errorf("OutboxBytes 0 became %d, want 16388", got)
	}
	sub, filters := fillSubscribe(t, lim.MaxPacketSize, cyclingName)
	if len(filters) != 16382 {
		t.Fatalf("%d one-byte filters fit in %d bytes, want 16382", len(filters), lim.MaxPacketSize)
	}
	c := mustConnect(t, b, "c", true)
	c.sendRaw(sub)
	ack := recvAs[*packet.Suback](c)
	if want := wantCodes(filters, lim.MaxSubscriptions); string(ack.ReturnCodes) != string(want) {
		t.Errorf("SUBACK of %d codes differs from the %d expected", len(ack.ReturnCodes), len(want))
	}
	c.ping()
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
