package broker_test

import (
	"strings"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

func TestSubscribeGrantsAndRefusals(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()}) // 4 subscriptions per session
	c := mustConnect(t, b, "c", true)
	codes := c.subscribeMany(
		packet.Filter{Topic: []byte("a"), QoS: 0},
		packet.Filter{Topic: []byte("b/+"), QoS: 1},
		packet.Filter{Topic: []byte("c/#"), QoS: 2},
		packet.Filter{Topic: []byte(strings.Repeat("l", 65)), QoS: 1}, // beyond MaxTopicLength
		packet.Filter{Topic: []byte("d"), QoS: 2},
		packet.Filter{Topic: []byte("e"), QoS: 1}, // a fifth subscription
	)
	want := []byte{0, 1, 2, packet.SubackFailure, 2, packet.SubackFailure}
	if string(codes) != string(want) {
		t.Fatalf("SUBACK codes %v, want %v", codes, want)
	}
	// Repeating a filter replaces it and takes no new slot.
	if g := c.subscribe("a", 2); g != 2 {
		t.Fatalf("granted %d on resubscription", g)
	}
	pub := mustConnect(t, b, "pub", true)
	pub.publish("a", "m", 2, false)
	p := c.expectPublish("a", "m")
	if p.QoS != 2 {
		t.Errorf("delivered at %d after resubscribing at 2", p.QoS)
	}
	c.ack(p)
	pub.publish("e", "m", 0, false)
	c.expectNothing()
}

func TestOverlappingSubscriptionsDeliverOnce(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()})
	c := mustConnect(t, b, "c", true)
	c.subscribeMany(
		packet.Filter{Topic: []byte("a/+"), QoS: 0},
		packet.Filter{Topic: []byte("a/#"), QoS: 2},
		packet.Filter{Topic: []byte("a/b"), QoS: 1},
	)
	pub := mustConnect(t, b, "pub", true)
	pub.publish("a/b", "once", 2, false)
	p := c.expectPublish("a/b", "once")
	if p.QoS != 2 {
		t.Errorf("delivered at QoS %d, want the highest granted, 2", p.QoS)
	}
	c.ack(p)
	c.expectNothing()
}

func TestDollarTopics(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()})
	all := mustConnect(t, b, "all", true)
	all.subscribeMany(packet.Filter{Topic: []byte("#")}, packet.Filter{Topic: []byte("+/x")})
	sys := mustConnect(t, b, "sys", true)
	sys.subscribe("$SYS/#", 0)
	pub := mustConnect(t, b, "pub", true)
	pub.publish("$SYS/x", "sys", 0, false)
	sys.expectPublish("$SYS/x", "sys")
	all.expectNothing()
	pub.publish("a/x", "plain", 0, false)
	all.expectPublish("a/x", "plain")
	all.expectNothing()
	sys.expectNothing()
}

func TestUnsubscribe(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()})
	c := mustConnect(t, b, "c", true)
	c.subscribeMany(packet.Filter{Topic: []byte("a")}, packet.Filter{Topic: []byte("b")})
	c.send(packet.Unsubscribe{PacketID: 41, Topics: [][]byte{[]byte("a"), []byte("never")}})
	if ack := recvAs[*packet.Unsuback](c); ack.PacketID != 41 {
		t.Fatalf("UNSUBACK %d", ack.PacketID)
	}
	// UNSUBACK even when nothing matched (MQTT-3.10.4-5).
	c.send(packet.Unsubscribe{PacketID: 42, Topics: [][]byte{[]byte("nothing")}})
	if ack := recvAs[*packet.Unsuback](c); ack.PacketID != 42 {
		t.Fatalf("UNSUBACK %d", ack.PacketID)
	}
	pub := mustConnect(t, b, "pub", true)
	pub.publish("a", "gone", 0, false)
	pub.publish("b", "kept", 0, false)
	c.expectPublish("b", "kept")
	c.expectNothing()
	// The slot is free again: four more filters fit beside "b"... three.
	codes := c.subscribeMany(packet.Filter{Topic: []byte("c")}, packet.Filter{Topic: []byte("d")}, packet.Filter{Topic: []byte("e")})
	if string(codes) != "\x00\x00\x00" {
		t.Fatalf("codes %v after unsubscribing", codes)
	}
}

func TestManyFiltersInOneSubscribe(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()})
	c := mustConnect(t, b, "c", true)
	var fs []packet.Filter
	for i := range 40 {
		fs = append(fs, packet.Filter{Topic: []byte{'f', byte('A' + i)}, QoS: 1})
	}
	codes := c.subscribeMany(fs...)
	for i, code := range codes {
		if want := map[bool]byte{true: 1, false: packet.SubackFailure}[i < 4]; code != want {
			t.Fatalf("code %d = %#x, want %#x", i, code, want)
		}
	}
}
