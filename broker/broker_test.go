package broker_test

import (
	"testing"

	"github.com/gatomqtt/gatomqtt/broker"
)

func TestPublishSubscribeQoS0And1(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()})
	sub := mustConnect(t, b, "sub", true)
	if got := sub.subscribe("a/+", 1); got != 1 {
		t.Fatalf("granted %d, want 1", got)
	}
	pub := mustConnect(t, b, "pub", true)

	pub.publish("a/b", "zero", 0, false)
	p := sub.expectPublish("a/b", "zero")
	if p.QoS != 0 || p.Retain || p.Dup {
		t.Errorf("QoS 0 delivery %+v", p)
	}

	pub.publish("a/c", "one", 1, false)
	p = sub.expectPublish("a/c", "one")
	if p.QoS != 1 || p.PacketID == 0 || p.Retain || p.Dup {
		t.Errorf("QoS 1 delivery %+v", p)
	}
	sub.ack(p)

	pub.publish("b/c", "other", 1, false)
	sub.expectNothing()

	st := b.Stats()
	if st.MessagesIn != 3 || st.MessagesOut != 2 || st.Sessions != 2 || st.Connections != 2 {
		t.Errorf("stats %+v", st)
	}
	sub.disconnect()
	pub.disconnect()
}
