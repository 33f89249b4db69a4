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

// TestMostFilters checks mostFilters against encoded UNSUBSCRIBE packets:
// that many one-byte filters fit in the packet size, one more does not.
func TestMostFilters(t *testing.T) {
	for _, size := range []int{16, 130, 131, 132, 384, 512, 640, 4368, 16389, 16390} {
		n := mostFilters(size)
		fits := func(k int) bool {
			u := packet.Unsubscribe{PacketID: 1}
			for range k {
				u.Topics = append(u.Topics, []byte("f"))
			}
			b, err := u.Append(nil)
			return err == nil && len(b) <= size
		}
		if !fits(n) || fits(n+1) {
			t.Errorf("packet size %d: mostFilters %d, fits %v, one more fits %v", size, n, fits(n), fits(n+1))
		}
	}
}
