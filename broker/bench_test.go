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
