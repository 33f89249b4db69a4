package broker_test

import (
	"strconv"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// fanout sets up a broker with n subscribers to "bench/+" at qos, each an
// auto-acknowledging fakeConn.
func fanout(tb testing.TB, n int, qos packet.QoS) (*broker.Broker, []*fakeConn) {
	return fanoutWith(tb, broker.Config{Limits: broker.HostLimits}, n, qos)
}

// fanoutWith is fanout on a broker built from cfg.
func fanoutWith(tb testing.TB, cfg broker.Config, n int, qos packet.QoS) (*broker.Broker, []*fakeConn) {
	b := newBroker(tb, cfg)
	var subs []*fakeConn
	for i := range n {
		f := newTestConn(true)
		f.serve(b)
		tb.Cleanup(func() { f.Close() })
		f.feed(mustAppend(
			packet.Connect{ClientID: []byte("sub" + strconv.Itoa(i)), CleanSession: true},
			packet.NewSubscribe(1, packet.Filter{Topic: []byte("bench/+"), QoS: qos}),
		))
		f.waitFor(0, 2) // CONNACK, SUBACK
		subs = append(subs, f)
	}
	return b, subs
}

func TestRoutingDoesNotAllocate(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts need a quiet process")
	}
	payload := make([]byte, 64)
	for _, qos := range []packet.QoS{0, 1} {
		t.Run("in-process QoS "+strconv.Itoa(int(qos)), func(t *testing.T) {
			b, subs := fanout(t, 4, qos)
			sent := 0
			allocs := testing.AllocsPerRun(1000, func() {
				if err := b.Publish("bench/x", payload, qos, false); err != nil {
					t.Fatal(err)
				}
				sent++
				for _, s := range subs {
					s.waitFor(sent, 2)
				}
			})
			if allocs != 0 {
				t.Errorf("%v allocations per routed message, want 0", allocs)
			}
		})
		t.Run("network QoS "+strconv.Itoa(int(qos)), func(t *testing.T) {
			b, subs := fanout(t, 4, qos)
			routeAllocs(t, b, subs, qos)
		})
		t.Run("network QoS "+strconv.Itoa(int(qos))+" with an ACL", func(t *testing.T) {
			acl := broker.ACL{
				{Filter: "other/#", Access: broker.ReadWrite},
				{Filter: "bench/+", Access: broker.ReadWrite},
			}
			b, subs := fanoutWith(t, broker.Config{Limits: broker.HostLimits, Authorize: acl.Authorize}, 4, qos)
			routeAllocs(t, b, subs, qos)
		})
		t.Run("network QoS "+strconv.Itoa(int(qos))+" beside deep wildcard filters", func(t *testing.T) {
			lim := broker.HostLimits
			lim.MaxTopicLevels = 125
			b, subs := fanoutWith(t, broker.Config{Limits: lim}, 4, qos)
			subscribeOffline(t, b, 64, 32, 125)
			routeAllocs(t, b, subs, qos)
		})
	}
}

// routeAllocs counts the allocations of PUBLISH packets to "bench/x" from
// a network client, routed to subs.
func routeAllocs(t *testing.T, b *broker.Broker, subs []*fakeConn, qos packet.QoS) {
	t.Helper()
	routeAllocsTo(t, b, subs, "bench/x", qos)
}

// routeAllocsTo is routeAllocs for PUBLISH packets to topic.
func routeAllocsTo(t *testing.T, b *broker.Broker, subs []*fakeConn, topic string, qos packet.QoS) {
	t.Helper()
	payload := make([]byte, 64)
	pub := newTestConn(false)
	pub.serve(b)
	defer pub.Close()
	pub.feed(mustAppend(packet.Connect{ClientID: []byte("pub"), CleanSession: true}))
	pub.waitFor(0, 1)
	msg := mustAppend(packet.Publish{Topic: []byte(topic), Payload: payload, QoS: qos, PacketID: 1})
	sent := 0
	allocs := testing.AllocsPerRun(1000, func() {
		pub.feed(msg)
		sent++
		for _, s := range subs {
			s.waitFor(sent, 2)
		}
		if qos == 1 {
			pub.waitFor(0, 1+sent)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per routed message, want 0", allocs)
	}
}

// TestSubscribeNeedsNoStorage sends SUBSCRIBE and UNSUBSCRIBE packets of
// ever more filters, up to the most the packet size allows: the broker
// walks them in the read buffer and allocates nothing for them.
func TestSubscribeNeedsNoStorage(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts need a quiet process")
	}
	lim := smallLimits() // MaxPacketSize 512, MaxSubscriptions 4
	b := newBroker(t, broker.Config{Limits: lim})
	f := newTestConn(false)
	f.serve(b)
	t.Cleanup(func() { f.Close() })
	f.feed(mustAppend(packet.Connect{ClientID: []byte("c"), CleanSession: true}))
	f.waitFor(0, 1)
	// The most a packet of 512 bytes holds: 126 SUBSCRIBE filters of 4
	// bytes, 169 UNSUBSCRIBE filters of 3, after a 3-byte fixed header
	// and the packet identifier. Each count would overflow a slice grown for
	// the one before.
	subs := []int{5, 9, 17, 33, 65, 126}
	unsubs := []int{5, 9, 17, 33, 65, 169}
	var packets [][]byte
	for i := range subs {
		filters := make([]packet.Filter, subs[i])
		for j := range filters {
			filters[j] = packet.Filter{Topic: []byte("f"), QoS: 1}
		}
		topics := make([][]byte, unsubs[i])
		for j := range topics {
			topics[j] = []byte("f")
		}
		sb, ub := mustAppend(packet.NewSubscribe(1, filters...)), mustAppend(packet.NewUnsubscribe(2, topics...))
		if i == len(subs)-1 && (len(sb) > lim.MaxPacketSize || len(sb)+4 <= lim.MaxPacketSize ||
			len(ub) > lim.MaxPacketSize || len(ub)+3 <= lim.MaxPacketSize) {
			t.Fatalf("the largest packets take %d and %d bytes, not the most that fits in %d", len(sb), len(ub), lim.MaxPacketSize)
		}
		packets = append(packets, append(sb, ub...))
	}
	run, acks := 0, 1
	allocs := testing.AllocsPerRun(len(packets)-1, func() {
		f.feed(packets[run])
		run++
		acks += 2 // SUBACK, UNSUBACK
		f.waitFor(0, acks)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per SUBSCRIBE and UNSUBSCRIBE, want 0", allocs)
	}
	if st := b.Stats(); st.ProtocolErrors != 0 || st.Connections != 1 {
		t.Errorf("connection ended (%d protocol errors)", st.ProtocolErrors)
	}
}
