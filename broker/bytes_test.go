package broker_test

import (
	"testing"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// TestStatsBytes: Stats counts the bytes of every packet read and
// written, headers included.
func TestStatsBytes(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()})
	size := func(p packet.Packet) uint64 {
		buf, err := p.Append(nil)
		if err != nil {
			t.Fatal(err)
		}
		return uint64(len(buf))
	}
	sub := mustConnect(t, b, "sub", true)
	sub.subscribe("t", 0)
	pub := mustConnect(t, b, "pub", true)
	pub.publish("t", "hello", 1, false)
	sub.expectPublish("t", "hello")

	in := size(packet.Connect{ClientID: []byte("sub"), CleanSession: true}) +
		size(packet.NewSubscribe(1, packet.Filter{Topic: []byte("t")})) +
		size(packet.Connect{ClientID: []byte("pub"), CleanSession: true}) +
		size(packet.Publish{Topic: []byte("t"), Payload: []byte("hello"), QoS: 1, PacketID: 1})
	out := 2*size(packet.Connack{}) + size(packet.Suback{PacketID: 1, ReturnCodes: []byte{0}}) +
		size(packet.Puback{PacketID: 1}) + size(packet.Publish{Topic: []byte("t"), Payload: []byte("hello")})
	waitFor(t, func() bool { st := b.Stats(); return st.BytesIn == in && st.BytesOut == out })
}
