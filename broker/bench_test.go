package broker_test

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

func BenchmarkMatch(b *testing.B) {
	cases := []struct{ filter, topic string }{
		{"sensors/kitchen/temperature", "sensors/kitchen/temperature"},
		{"sensors/+/temperature", "sensors/kitchen/temperature"},
		{"sensors/#", "sensors/kitchen/temperature/celsius"},
		{"+/+/humidity", "sensors/kitchen/temperature"},
	}
	for _, c := range cases {
		b.Run(c.filter, func(b *testing.B) {
			for b.Loop() {
				broker.MatchTopic(c.filter, c.topic)
			}
		})
	}
}

// BenchmarkFanout routes 64-byte messages from the in-process client and
// from a network publisher to several subscribers, each an in-memory
// connection that acknowledges QoS 1 at once; one op is one message
// delivered to every subscriber.
func BenchmarkFanout(b *testing.B) {
	payload := make([]byte, 64)
	for _, qos := range []packet.QoS{0, 1} {
		for _, n := range []int{1, 4, 16} {
			name := "QoS" + strconv.Itoa(int(qos)) + "/subs=" + strconv.Itoa(n)
			b.Run(name+"/in-process", func(b *testing.B) {
				br, subs := fanout(b, n, qos)
				sent := 0
				b.ReportAllocs()
				for b.Loop() {
					br.Publish("bench/x", payload, qos, false)
					sent++
					// Waiting every 16 messages keeps within the outbox and
					// in-flight bounds, so nothing is dropped.
					if sent%16 == 0 {
						for _, s := range subs {
							s.waitFor(sent, 2)
						}
					}
				}
				for _, s := range subs {
					s.waitFor(sent, 2)
				}
				if st := br.Stats(); st.Dropped != 0 {
					b.Fatalf("%d dropped", st.Dropped)
				}
			})
			b.Run(name+"/network", func(b *testing.B) {
				br, subs := fanout(b, n, qos)
				pub := newFakeConn(false)
				go br.ServeConn(pub)
				defer pub.Close()
				pub.feed(mustAppend(packet.Connect{ClientID: []byte("pub"), CleanSession: true}))
				pub.waitFor(0, 1)
				one := mustAppend(packet.Publish{Topic: []byte("bench/x"), Payload: payload, QoS: qos, PacketID: 1})
				batch := bytes.Repeat(one, 16)
				sent := 0
				b.ReportAllocs()
				for b.Loop() {
					if sent%16 == 0 {
						for _, s := range subs {
							s.waitFor(sent, 2)
						}
						pub.feed(batch)
					}
					sent++
				}
				sent = (sent + 15) / 16 * 16
				for _, s := range subs {
					s.waitFor(sent, 2)
				}
				if st := br.Stats(); st.Dropped != 0 {
					b.Fatalf("%d dropped", st.Dropped)
				}
			})
		}
	}
}

// deepFilter is the filter "+/+/…/bN" of levels levels, the last one
// "b" and n: what an attack on routing subscribes to by the thousand, as
// it matches no topic of fewer levels.
func deepFilter(levels, n int) []byte {
	f := bytes.Repeat([]byte("+/"), levels-1)
	return append(f, "b"+strconv.Itoa(n)...)
}

// subscribeOffline leaves sessions offline persistent sessions on b, each
// subscribed to filters deep wildcard filters of levels levels.
func subscribeOffline(tb testing.TB, b *broker.Broker, sessions, filters, levels int) {
	tb.Helper()
	for i := range sessions {
		f := newTestConn(false)
		f.serve(b)
		in := mustAppend(packet.Connect{ClientID: []byte("idle" + strconv.Itoa(i))})
		for k := range filters {
			in = append(in, mustAppend(packet.NewSubscribe(1, packet.Filter{Topic: deepFilter(levels, k), QoS: 1}))...)
		}
		f.feed(in)
		f.waitFor(0, 1+filters) // CONNACK, SUBACKs
		f.Close()
	}
}

// BenchmarkRouteUnrelatedWildcards routes a QoS 0 message from the
// in-process client to a topic nobody subscribes to, with and without 250
// offline sessions subscribed to 32 wildcard filters of 125 levels each
// that match nothing of its depth: the cost of routing must not depend
// on them. MaxTopicLevels is raised to 125 to let them in.
func BenchmarkRouteUnrelatedWildcards(b *testing.B) {
	const levels = 125
	lim := broker.HostLimits
	lim.MaxTopicLevels = levels
	payload := make([]byte, 64)
	for _, sessions := range []int{0, 250} {
		b.Run("filters="+strconv.Itoa(sessions*32), func(b *testing.B) {
			br := newBroker(b, broker.Config{Limits: lim})
			subscribeOffline(b, br, sessions, 32, levels)
			if st := br.Stats(); st.Sessions != sessions || st.SubscriptionsRefused != 0 {
				b.Fatalf("%d sessions, %d subscriptions refused", st.Sessions, st.SubscriptionsRefused)
			}
			b.ReportAllocs()
			for b.Loop() {
				br.Publish("sensors/kitchen/temperature", payload, 0, false)
			}
		})
	}
}
