package broker_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// TestSubscribeRefusalsAreCounted checks the SUBACK codes and
// Stats.SubscriptionsRefused for each limit a filter can run into: its
// levels, its length, the session's slots and the tree's nodes.
func TestSubscribeRefusalsAreCounted(t *testing.T) {
	lim := smallLimits() // 4 subscriptions per session, 64-byte topics
	lim.MaxTopicLevels = 4
	lim.SubscriptionNodes = 1 // 9 sessions × 4 slots × 1 node
	tests := []struct {
		name    string
		filters []string
		want    []byte
	}{
		{"levels", []string{"a/b/c/d", "a/b/c/d/e", "a/b/c/#", "a/b/c/d/#", "+/+/+/+/+"},
			[]byte{1, 0x80, 1, 0x80, 0x80}},
		{"length", []string{strings.Repeat("l", 65), "l/+"}, []byte{0x80, 1}},
		{"slots", []string{"a", "b", "c", "d", "e"}, []byte{1, 1, 1, 1, 0x80}},
		// Of the 36 nodes, 7 sessions of "nN/+" and "mN/+" and the
		// in-process client's three filters take 34, "x/+" the last two,
		// so "y/+" finds none and "x/+/#" and "x/#" need none.
		{"nodes", []string{"x/+", "y/+", "x/+/#", "y", "x/#"}, []byte{1, 0x80, 1, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBroker(t, broker.Config{Limits: lim})
			if tt.name == "nodes" {
				for i := range 7 {
					n := string(rune('0' + i))
					c := mustConnect(t, b, "s"+n, true)
					c.subscribeMany(
						packet.Filter{Topic: []byte("n" + n + "/+"), QoS: 1},
						packet.Filter{Topic: []byte("m" + n + "/+"), QoS: 1},
					)
				}
				for _, f := range []string{"app/+", "apq/+", "apr/+"} {
					if err := b.Subscribe(f, 0, func(broker.Message) {}); err != nil {
						t.Fatal(err)
					}
				}
			}
			c := mustConnect(t, b, "c", true)
			fs := make([]packet.Filter, len(tt.filters))
			for i, f := range tt.filters {
				fs[i] = packet.Filter{Topic: []byte(f), QoS: 1}
			}
			if got := c.subscribeMany(fs...); string(got) != string(tt.want) {
				t.Fatalf("SUBACK codes %v, want %v", got, tt.want)
			}
			refused := 0
			for _, code := range tt.want {
				if code == packet.SubackFailure {
					refused++
				}
			}
			if st := b.Stats(); st.SubscriptionsRefused != uint64(refused) || st.SubscriptionsDenied != 0 {
				t.Errorf("SubscriptionsRefused %d, SubscriptionsDenied %d; want %d, 0",
					st.SubscriptionsRefused, st.SubscriptionsDenied, refused)
			}
		})
	}
}

// TestDeepTopicsStillRoute publishes topics of more levels than
// MaxTopicLevels: they match the "#" filters above their depth.
func TestDeepTopicsStillRoute(t *testing.T) {
	lim := smallLimits()
	lim.MaxTopicLevels = 3
	b := newBroker(t, broker.Config{Limits: lim})
	c := mustConnect(t, b, "c", true)
	codes := c.subscribeMany(
		packet.Filter{Topic: []byte("a/#")},
		packet.Filter{Topic: []byte("+/b/#")},
		packet.Filter{Topic: []byte("a/b/+/#")}, // four levels: refused
	)
	if string(codes) != string([]byte{0, 0, 0x80}) {
		t.Fatalf("SUBACK codes %v", codes)
	}
	pub := mustConnect(t, b, "pub", true)
	for _, topic := range []string{"a/b/c/d/e/f/g/h", "x/b/c/d/e/f", "a/x/c/d/e"} {
		pub.publish(topic, "deep", 0, false)
		c.expectPublish(topic, "deep")
	}
	pub.publish("x/y/c/d/e", "deep", 0, false)
	c.expectNothing()
}

// TestInProcessSubscribeLimits checks the errors of the in-process
// client's Subscribe for the depth bound and a full tree.
func TestInProcessSubscribeLimits(t *testing.T) {
	lim := smallLimits()
	lim.MaxTopicLevels = 3
	lim.SubscriptionNodes = 1
	lim.MaxSessions = 1 // 2 sessions × 4 slots × 1 node
	b := newBroker(t, broker.Config{Limits: lim})
	h := func(broker.Message) {}
	if err := b.Subscribe("a/b/c/d", 0, h); !errors.Is(err, broker.ErrTooLarge) {
		t.Errorf("four levels: %v, want ErrTooLarge", err)
	}
	for _, f := range []string{"a/+/+", "b/+/+"} {
		if err := b.Subscribe(f, 0, h); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if err := b.Subscribe("c/+/+", 0, h); !errors.Is(err, broker.ErrNoSubscription) {
		t.Errorf("with 2 of 8 nodes free: %v, want ErrNoSubscription", err)
	}
	if err := b.Unsubscribe("a/+/+"); err != nil {
		t.Fatal(err)
	}
	if err := b.Subscribe("c/+/+", 0, h); err != nil {
		t.Errorf("after unsubscribing: %v", err)
	}
}
