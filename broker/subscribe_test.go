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
	c.send(packet.NewUnsubscribe(41, []byte("a"), []byte("never")))
	if ack := recvAs[*packet.Unsuback](c); ack.PacketID != 41 {
		t.Fatalf("UNSUBACK %d", ack.PacketID)
	}
	// UNSUBACK even when nothing matched (MQTT-3.10.4-5).
	c.send(packet.NewUnsubscribe(42, []byte("nothing")))
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

// oneByteNames are the one-byte topic filters the SUBSCRIBE tests use:
// letters, digits and punctuation without the wildcards, '$' and '/'.
const oneByteNames = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!\"%&'()*,-.:;<=>?@[\\]^_`{|}~"

// distinctName returns the i-th filter of all those spelled with
// oneByteNames, shortest first, so that no two are the same.
func distinctName(i int) string {
	n := len(oneByteNames)
	var name []byte
	for {
		name = append([]byte{oneByteNames[i%n]}, name...)
		if i < n {
			return string(name)
		}
		i = i/n - 1
	}
}

// cyclingName returns the one-byte filters over and over.
func cyclingName(i int) string { return oneByteNames[i%len(oneByteNames) : i%len(oneByteNames)+1] }

// fillSubscribe encodes the SUBSCRIBE of filters named by name, asking for
// QoS 0, 1, 2 in turn, with as many as fit in size bytes.
func fillSubscribe(t testing.TB, size int, name func(int) string) ([]byte, []packet.Filter) {
	t.Helper()
	var filters []packet.Filter
	n := size - 5 // fixed header and packet identifier
	for i := 0; ; i++ {
		f := packet.Filter{Topic: []byte(name(i)), QoS: packet.QoS(i % 3)}
		if n -= 2 + len(f.Topic) + 1; n < 0 {
			break
		}
		filters = append(filters, f)
	}
	wire, err := packet.NewSubscribe(7, filters...).Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	for len(wire) > size { // the fixed header took fewer bytes than assumed
		filters = filters[:len(filters)-1]
		wire, _ = packet.NewSubscribe(7, filters...).Append(nil)
	}
	return wire, filters
}

// wantCodes are the SUBACK codes a session with no subscriptions and room
// for maxSubs gets for filters: a filter already granted is replaced and
// granted again, a new one granted while there is room.
func wantCodes(filters []packet.Filter, maxSubs int) []byte {
	held := map[string]bool{}
	var codes []byte
	for _, f := range filters {
		switch {
		case held[string(f.Topic)]:
		case len(held) < maxSubs:
			held[string(f.Topic)] = true
		default:
			codes = append(codes, packet.SubackFailure)
			continue
		}
		codes = append(codes, byte(f.QoS))
	}
	return codes
}

// TestSubscribeFillingThePacket sends, with the Pico's limits, a
// SUBSCRIBE as large as MaxPacketSize allows and an UNSUBSCRIBE too: the
// SUBACK grants MaxSubscriptions filters and refuses the rest with 0x80,
// retained messages are replayed for granted filters only, and the
// connection stays open.
func TestSubscribeFillingThePacket(t *testing.T) {
	lim := broker.PicoLimits
	b := newBroker(t, broker.Config{Limits: lim})
	wire, filters := fillSubscribe(t, lim.MaxPacketSize, distinctName)
	if len(wire) > lim.MaxPacketSize || len(filters) < 90 {
		t.Fatalf("SUBSCRIBE of %d filters takes %d bytes", len(filters), len(wire))
	}
	granted, refused := filters[1], filters[50]
	pub := mustConnect(t, b, "pub", true)
	pub.publish(string(granted.Topic), "kept", 1, true)
	pub.publish(string(refused.Topic), "not replayed", 1, true)

	c := mustConnect(t, b, "c", true)
	c.sendRaw(wire)
	ack := recvAs[*packet.Suback](c)
	if want := wantCodes(filters, lim.MaxSubscriptions); ack.PacketID != 7 || string(ack.ReturnCodes) != string(want) {
		t.Fatalf("SUBACK %d % x, want 7 % x", ack.PacketID, ack.ReturnCodes, want)
	}
	for i, code := range ack.ReturnCodes {
		if (code == packet.SubackFailure) != (i >= lim.MaxSubscriptions) {
			t.Fatalf("code %d of %d is %#x", i, len(filters), code)
		}
	}
	p := c.expectPublish(string(granted.Topic), "kept")
	if !p.Retain || p.QoS != min(granted.QoS, 1) {
		t.Errorf("replayed with retain %v, QoS %d", p.Retain, p.QoS)
	}
	c.ack(p)
	c.expectNothing() // PINGRESP: open, and nothing replayed for refused filters

	// The fullest UNSUBSCRIBE names the granted filters among others.
	var topics [][]byte
	for i := 0; packet.HeaderSize(2+3*(i+1))+2+3*(i+1) <= lim.MaxPacketSize; i++ {
		topics = append(topics, []byte(cyclingName(i)))
	}
	c.send(packet.NewUnsubscribe(8, topics...))
	if ack := recvAs[*packet.Unsuback](c); ack.PacketID != 8 {
		t.Fatalf("UNSUBACK %d, want 8", ack.PacketID)
	}
	c.ping()
	pub.publish(string(granted.Topic), "gone", 0, false)
	c.expectNothing()
	// Every slot is free again.
	codes := c.subscribeMany(filters[lim.MaxSubscriptions : 2*lim.MaxSubscriptions]...)
	if want := wantCodes(filters[lim.MaxSubscriptions:2*lim.MaxSubscriptions], lim.MaxSubscriptions); string(codes) != string(want) {
		t.Errorf("after UNSUBSCRIBE of %d filters: codes % x, want % x", len(topics), codes, want)
	}
	if st := b.Stats(); st.ProtocolErrors != 0 {
		t.Errorf("%d protocol errors", st.ProtocolErrors)
	}
}
