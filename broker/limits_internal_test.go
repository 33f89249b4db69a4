package broker

import (
	"testing"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// TestMaxPublishSize checks the size New sizes outboxes by against the
// codec's own count, across the lengths where the fixed header grows.
func TestMaxPublishSize(t *testing.T) {
	for _, tt := range []struct{ topic, payload int }{
		{1, 0}, {64, 59}, {64, 60}, {100, 16279}, {100, 16280}, {256, 4096}, {65535, 2 << 20},
	} {
		l := Limits{MaxTopicLength: tt.topic, MaxPayloadSize: tt.payload}
		want := packet.Publish{Topic: make([]byte, tt.topic), Payload: make([]byte, tt.payload), QoS: 1}.Len()
		if got := l.maxPublishSize(); got != want {
			t.Errorf("topic %d, payload %d: maxPublishSize %d, Publish.Len %d", tt.topic, tt.payload, got, want)
		}
	}
}

// TestMaxSubackSize checks maxSubackSize against encoded packets: the
// SUBACK to the SUBSCRIBE of the most one-byte filters that fits in the
// packet size, one more filter not fitting.
func TestMaxSubackSize(t *testing.T) {
	for _, size := range []int{16, 129, 130, 131, 132, 133, 384, 512, 640, 4368, 16387, 16388, 16389, 16390} {
		// No more than (size-4)/4 filters of 4 bytes fit; count down from
		// there to the first that does.
		filters := make([]packet.Filter, (size-4)/4+1)
		for i := range filters {
			filters[i].Topic = []byte("f")
		}
		for {
			b, err := packet.NewSubscribe(1, filters...).Append(nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) <= size {
				break
			}
			filters = filters[:len(filters)-1]
		}
		n := len(filters)
		ack, err := packet.Suback{PacketID: 1, ReturnCodes: make([]byte, n)}.Append(nil)
		if err != nil {
			t.Fatal(err)
		}
		l := Limits{MaxPacketSize: size}
		if got := l.maxSubackSize(); got != len(ack) {
			t.Errorf("packet size %d: maxSubackSize %d, the SUBACK for %d filters takes %d", size, got, n, len(ack))
		}
	}
}
