package broker_test

import (
	"errors"
	"strconv"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

func TestDeliveryQoSIsMinimum(t *testing.T) {
	for pubQoS := packet.QoS(0); pubQoS <= 2; pubQoS++ {
		for subQoS := packet.QoS(0); subQoS <= 2; subQoS++ {
			t.Run(strconv.Itoa(int(pubQoS))+"to"+strconv.Itoa(int(subQoS)), func(t *testing.T) {
				b := newBroker(t, broker.Config{Limits: smallLimits()})
				sub := mustConnect(t, b, "sub", true)
				if g := sub.subscribe("t", subQoS); g != byte(subQoS) {
					t.Fatalf("granted %d, want %d", g, subQoS)
				}
				pub := mustConnect(t, b, "pub", true)
				pub.publish("t", "m", pubQoS, false)
				p := sub.expectPublish("t", "m")
				if want := min(pubQoS, subQoS); p.QoS != want {
					t.Fatalf("delivered at QoS %d, want %d", p.QoS, want)
				}
				sub.ack(p)
				sub.expectNothing()
			})
		}
	}
}

func TestSenderReceivesOwnMessage(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()})
	c := mustConnect(t, b, "self", true)
	c.subscribe("me", 1)
	c.send(packet.Publish{Topic: []byte("me"), Payload: []byte("echo"), QoS: 1, PacketID: 7})
	// PUBACK and delivery both arrive; order between them is free.
	var gotAck, gotPub bool
	for range 2 {
		switch p := c.recv().(type) {
		case *packet.Puback:
			gotAck = p.PacketID == 7
		case *packet.Publish:
			gotPub = string(p.Payload) == "echo"
			c.ack(p)
		}
	}
	if !gotAck || !gotPub {
		t.Fatalf("ack %v, delivery %v", gotAck, gotPub)
	}
}

func TestInboundQoS2DeliveredOnce(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()})
	sub := mustConnect(t, b, "sub", true)
	sub.subscribe("t", 2)
	pub := mustConnect(t, b, "pub", true)
	p := packet.Publish{Topic: []byte("t"), Payload: []byte("once"), QoS: 2, PacketID: 9}
	pub.send(p)
	if rec := recvAs[*packet.Pubrec](pub); rec.PacketID != 9 {
		t.Fatalf("PUBREC %d", rec.PacketID)
	}
	// The PUBREC was "lost": the client resends with DUP.
	p.Dup = true
	pub.send(p)
	if rec := recvAs[*packet.Pubrec](pub); rec.PacketID != 9 {
		t.Fatalf("PUBREC %d", rec.PacketID)
	}
	pub.send(packet.Pubrel{PacketID: 9})
	if comp := recvAs[*packet.Pubcomp](pub); comp.PacketID != 9 {
		t.Fatalf("PUBCOMP %d", comp.PacketID)
	}
	// A repeated PUBREL is answered too.
	pub.send(packet.Pubrel{PacketID: 9})
	recvAs[*packet.Pubcomp](pub)

	sub.ack(sub.expectPublish("t", "once"))
	sub.expectNothing()

	// After PUBREL the identifier is free: the same id is a new message.
	p.Dup = false
	p.Payload = []byte("again")
	pub.send(p)
	recvAs[*packet.Pubrec](pub)
	pub.send(packet.Pubrel{PacketID: 9})
	recvAs[*packet.Pubcomp](pub)
	sub.ack(sub.expectPublish("t", "again"))
}

func TestInboundQoS2WindowLimit(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()}) // MaxInflight 4
	c := mustConnect(t, b, "c", true)
	for id := uint16(1); id <= 4; id++ {
		c.send(packet.Publish{Topic: []byte("t"), QoS: 2, PacketID: id})
		recvAs[*packet.Pubrec](c)
	}
	c.send(packet.Publish{Topic: []byte("t"), QoS: 2, PacketID: 5})
	if err := c.expectClosed(); !errors.Is(err, broker.ErrLimit) {
		t.Fatalf("ServeConn returned %v, want ErrLimit", err)
	}
}

func TestOutboundQoS2Flow(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()})
	sub := mustConnect(t, b, "sub", true)
	sub.subscribe("t", 2)
	pub := mustConnect(t, b, "pub", true)
	pub.publish("t", "x", 2, false)
	p := sub.expectPublish("t", "x")
	sub.send(packet.Pubrec{PacketID: p.PacketID})
	if rel := recvAs[*packet.Pubrel](sub); rel.PacketID != p.PacketID {
		t.Fatalf("PUBREL %d, want %d", rel.PacketID, p.PacketID)
	}
	if st := b.Stats(); st.StoredMessages != 0 {
		t.Errorf("message still stored after PUBREC: %d", st.StoredMessages)
	}
	sub.send(packet.Pubcomp{PacketID: p.PacketID})
	sub.expectNothing()
}

func TestInflightWindowAndOrder(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()}) // MaxInflight 4, MaxQueued 8
	sub := mustConnect(t, b, "sub", true)
	sub.subscribe("t", 1)
	pub := mustConnect(t, b, "pub", true)
	for i := range 10 {
		pub.publish("t", strconv.Itoa(i), 1, false)
	}
	var first []*packet.Publish
	for i := range 4 {
		first = append(first, sub.expectPublish("t", strconv.Itoa(i)))
	}
	// The window is full: nothing more until an acknowledgement.
	sub.expectNothing()
	// Each acknowledgement lets the next queued message out, in order.
	for i := 4; i < 10; i++ {
		sub.ack(first[0])
		first = append(first[1:], sub.expectPublish("t", strconv.Itoa(i)))
	}
}

func TestResendOnReconnect(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()})
	sub := mustConnect(t, b, "sub", false)
	sub.subscribe("t/#", 2)
	pub := mustConnect(t, b, "pub", true)
	pub.publish("t/1", "a", 1, false)
	pub.publish("t/2", "b", 2, false)
	pub.publish("t/3", "c", 2, false)
	pub.publish("t/4", "d", 1, false)
	a := sub.expectPublish("t/1", "a")
	bb := sub.expectPublish("t/2", "b")
	sub.expectPublish("t/3", "c")
	sub.expectPublish("t/4", "d")
	// Acknowledge the first, half-acknowledge the second, then drop.
	sub.send(packet.Puback{PacketID: a.PacketID})
	sub.send(packet.Pubrec{PacketID: bb.PacketID})
	recvAs[*packet.Pubrel](sub)
	sub.drop()
	pub.publish("t/5", "e", 1, false) // queued while offline

	sub = dial(t, b)
	if ack := sub.connect("sub", false); !ack.SessionPresent {
		t.Fatal("session not present")
	}
	// In original order: PUBREL for b, PUBLISH c and d with DUP, then e.
	if rel := recvAs[*packet.Pubrel](sub); rel.PacketID != bb.PacketID {
		t.Fatalf("PUBREL %d, want %d", rel.PacketID, bb.PacketID)
	}
	var got []*packet.Publish
	for _, want := range []string{"c", "d"} {
		p := recvAs[*packet.Publish](sub)
		if string(p.Payload) != want || !p.Dup {
			t.Fatalf("resent %q dup=%v, want %q with DUP", p.Payload, p.Dup, want)
		}
		got = append(got, p)
	}
	p := sub.expectPublish("t/5", "e")
	if p.Dup {
		t.Error("first transmission with DUP")
	}
	for _, p := range append(got, p) {
		sub.ack(p)
	}
	sub.send(packet.Pubcomp{PacketID: bb.PacketID})
	sub.expectNothing()
	if st := b.Stats(); st.StoredMessages != 0 {
		t.Errorf("%d messages still stored", st.StoredMessages)
	}
}

func TestOrderingPerTopic(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()})
	sub := mustConnect(t, b, "sub", true)
	sub.subscribe("o", 0)
	pub := mustConnect(t, b, "pub", true)
	for i := range 50 {
		pub.send(packet.Publish{Topic: []byte("o"), Payload: []byte(strconv.Itoa(i))})
	}
	pub.ping()
	for i := range 50 {
		sub.expectPublish("o", strconv.Itoa(i))
	}
}
