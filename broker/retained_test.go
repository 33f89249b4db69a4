package broker_test

import (
	"testing"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

func TestRetained(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()})
	pub := mustConnect(t, b, "pub", true)
	pub.publish("r/a", "first", 1, true)
	pub.publish("r/a", "second", 1, true) // replaces
	pub.publish("r/b", "b", 0, true)

	c := mustConnect(t, b, "c", true)
	c.subscribe("r/+", 1)
	got := map[string]*packet.Publish{}
	for range 2 {
		p := recvAs[*packet.Publish](c)
		got[string(p.Topic)] = p
		c.ack(p)
	}
	if p := got["r/a"]; p == nil || string(p.Payload) != "second" || !p.Retain || p.QoS != 1 {
		t.Errorf("retained r/a: %+v", p)
	}
	if p := got["r/b"]; p == nil || string(p.Payload) != "b" || !p.Retain || p.QoS != 0 {
		t.Errorf("retained r/b: %+v", p)
	}
	c.expectNothing()

	// Live deliveries of retained messages have the flag cleared.
	pub.publish("r/a", "live", 0, true)
	if p := c.expectPublish("r/a", "live"); p.Retain {
		t.Error("live delivery with the retain flag")
	}

	// A repeated subscription replays them again.
	c.subscribe("r/+", 0)
	for range 2 {
		if p := recvAs[*packet.Publish](c); !p.Retain || p.QoS != 0 {
			t.Errorf("replay %+v", p)
		}
	}

	// An empty retained message deletes, and is delivered live as usual.
	pub.publish("r/a", "", 1, true)
	p := c.expectPublish("r/a", "")
	if p.Retain {
		t.Error("empty message delivered with the retain flag")
	}
	if st := b.Stats(); st.Retained != 1 {
		t.Errorf("Retained = %d, want 1", st.Retained)
	}
	d := mustConnect(t, b, "d", true)
	d.subscribe("r/#", 0)
	d.expectPublish("r/b", "b")
	d.expectNothing()
}

func TestRetainedStoreFull(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()}) // MaxRetained 4
	pub := mustConnect(t, b, "pub", true)
	live := mustConnect(t, b, "live", true)
	live.subscribe("#", 0)
	for _, topic := range []string{"1", "2", "3", "4", "5"} {
		pub.publish(topic, "v"+topic, 0, true)
		live.expectPublish(topic, "v"+topic) // delivered even when not retained
	}
	pub.publish("2", "v2'", 0, true) // existing topics still replace
	live.expectPublish("2", "v2'")
	st := b.Stats()
	if st.Retained != 4 || st.RetainedRefused != 1 {
		t.Fatalf("Retained %d, refused %d; want 4 and 1", st.Retained, st.RetainedRefused)
	}
	c := mustConnect(t, b, "c", true)
	c.subscribe("#", 0)
	got := map[string]string{}
	for range 4 {
		p := recvAs[*packet.Publish](c)
		got[string(p.Topic)] = string(p.Payload)
	}
	c.expectNothing()
	want := map[string]string{"1": "v1", "2": "v2'", "3": "v3", "4": "v4"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("retained %s = %q, want %q", k, got[k], v)
		}
	}
}
