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
		f := newFakeConn(true)
		go b.ServeConn(f)
		tb.Cleanup(func() { f.Close() })
		f.feed(mustAppend(
			packet.Connect{ClientID: []byte("sub" + strconv.Itoa(i)), CleanSession: true},
			packet.Subscribe{PacketID: 1, Filters: []packet.Filter{{Topic: []byte("bench/+"), QoS: qos}}},
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
	}
}

// routeAllocs counts the allocations of PUBLISH packets to "bench/x" from
// a network client, routed to subs.
func routeAllocs(t *testing.T, b *broker.Broker, subs []*fakeConn, qos packet.QoS) {
	t.Helper()
	payload := make([]byte, 64)
	pub := newFakeConn(false)
	go b.ServeConn(pub)
	defer pub.Close()
	pub.feed(mustAppend(packet.Connect{ClientID: []byte("pub"), CleanSession: true}))
	pub.waitFor(0, 1)
	msg := mustAppend(packet.Publish{Topic: []byte("bench/x"), Payload: payload, QoS: qos, PacketID: 1})
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
