package broker

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// treeBroker builds a broker of sessions sessions with perSession
// subscriptions each, filters of at most levels levels and nodes tree
// nodes per slot, for tests that drive the subscription index directly.
func treeBroker(t testing.TB, sessions, perSession, levels, nodes int) *Broker {
	t.Helper()
	b, err := New(Config{Limits: Limits{
		MaxSessions: sessions, MaxSubscriptions: perSession, MaxInflight: 1, MaxQueued: 1,
		MaxTopicLength: 256, MaxTopicLevels: levels, SubscriptionNodes: nodes,
		MaxPayloadSize: 16, MaxPacketSize: 512, MaxClientIDLength: 23,
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// routed returns, by session, the QoS route would deliver topic at, and
// clears the routing scratch as route does.
func routed(b *Broker, topic string) map[int32]packet.QoS {
	b.collect([]byte(topic))
	got := map[int32]packet.QoS{}
	for _, s := range b.matched {
		got[s] = packet.QoS(b.marks[s] - 1)
		b.marks[s] = 0
	}
	b.matched = b.matched[:0]
	return got
}

// oracle is routed by matching topic against every subscription with
// match, as routing did before the tree.
func oracle(b *Broker, topic string) map[int32]packet.QoS {
	want := map[int32]packet.QoS{}
	for i := range b.subs.entries {
		e := &b.subs.entries[i]
		if f := b.subs.filter(int32(i)); len(f) == 0 || !match(f, []byte(topic)) {
			continue
		}
		if q, ok := want[e.sess]; !ok || e.qos > q {
			want[e.sess] = e.qos
		}
	}
	return want
}

func sameRoutes(a, b map[int32]packet.QoS) bool {
	if len(a) != len(b) {
		return false
	}
	for s, q := range a {
		if r, ok := b[s]; !ok || r != q {
			return false
		}
	}
	return true
}

// randomName joins up to max levels drawn from levels, wild adding '+'
// and a trailing '#' to the draw: a valid topic name or filter.
func randomName(r *rand.Rand, levels []string, max int, wild bool) string {
	n := 1 + r.IntN(max)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = levels[r.IntN(len(levels))]
		if wild && r.IntN(3) == 0 {
			parts[i] = "+"
		}
	}
	if wild && r.IntN(4) == 0 {
		parts[n-1] = "#"
	}
	if name := strings.Join(parts, "/"); name != "" {
		return name
	}
	return "/" // the empty name is neither a valid topic nor filter
}

// TestTreeRoutesLikeMatch subscribes, resubscribes and unsubscribes
// random filters and checks every routing against matching each
// subscription with match, the oracle.
func TestTreeRoutesLikeMatch(t *testing.T) {
	// FNV-1a hashes "costarring" and "liquid" alike, so their nodes
	// are shared and only match tells their subscriptions apart.
	levels := []string{"a", "b", "", "$s", "ab", "costarring", "liquid"}
	const sessions, perSession, maxLevels = 12, 6, 5
	b := treeBroker(t, sessions, perSession, maxLevels, 0)
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 3000 {
		s := int32(r.IntN(sessions + 1))
		filter := []byte(randomName(r, levels, maxLevels, true))
		switch r.IntN(5) {
		case 0:
			b.subs.remove(s, filter)
		case 1:
			if r.IntN(10) == 0 {
				b.subs.removeAll(s)
			}
		default:
			b.subs.add(s, filter, packet.QoS(r.IntN(3)))
		}
		for range 4 {
			topic := randomName(r, levels, maxLevels+2, false)
			if got, want := routed(b, topic), oracle(b, topic); !sameRoutes(got, want) {
				t.Fatalf("round %d: topic %q routed to %v, match says %v", round, topic, got, want)
			}
		}
	}
	for s := range int32(sessions + 1) {
		b.subs.removeAll(s)
	}
	if tr := &b.subs.tree; tr.nfree != len(tr.nodes)-1 {
		t.Errorf("%d of %d nodes free after unsubscribing all", tr.nfree, len(tr.nodes)-1)
	}
}

// TestTreeMatchCases holds the tree to section 4.7 on the cases that
// matter: '#' with its parent level, empty levels, '$' topics, topics
// deeper than MaxTopicLevels and levels whose hashes collide.
func TestTreeMatchCases(t *testing.T) {
	b := treeBroker(t, 8, 4, 4, 0)
	tests := []struct {
		filter string
		match  []string
		miss   []string
	}{
		{"#", []string{"a", "/", "a/b/c/d/e/f/g/h/i"}, []string{"$SYS/x", "$"}},
		{"a/#", []string{"a", "a/", "a/b", "a/b/c/d/e/f/g/h/i"}, []string{"b", "ab", "$a/b"}},
		{"+/+", []string{"a/b", "/", "a/"}, []string{"a", "a/b/c", "$SYS/x"}},
		{"+/#", []string{"a", "a/b/c/d/e/f/g/h/i", "/"}, []string{"$SYS", "$SYS/x"}},
		{"$SYS/#", []string{"$SYS", "$SYS/a/b/c/d/e/f"}, []string{"SYS/a"}},
		{"a/+/c", []string{"a/b/c", "a//c"}, []string{"a/b", "a/b/c/d", "a/b/d"}},
		{"/+", []string{"/a", "/"}, []string{"a", "a/b", "//a"}},
		{"a/b/c/#", []string{"a/b/c", "a/b/c/d/e/f/g/h/i/j"}, []string{"a/b", "a/b/d/c"}},
		// Levels whose hashes collide share a node.
		{"costarring/+", []string{"costarring/x"}, []string{"liquid/x", "liquid"}},
	}
	for i, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			s := int32(i)
			if k := b.subs.add(s, []byte(tt.filter), 1); k < 0 {
				t.Fatalf("add = %d", k)
			}
			defer b.subs.removeAll(s)
			for _, topic := range tt.match {
				if _, ok := routed(b, topic)[s]; !ok {
					t.Errorf("%q not routed to %q", topic, tt.filter)
				}
			}
			for _, topic := range tt.miss {
				if _, ok := routed(b, topic)[s]; ok {
					t.Errorf("%q routed to %q", topic, tt.filter)
				}
			}
		})
	}
}

// TestTreeReusesNodes subscribes and unsubscribes many distinct filters
// with a pool that holds only a few at once: freed nodes must be reused,
// and all of them free again at the end.
func TestTreeReusesNodes(t *testing.T) {
	b := treeBroker(t, 2, 4, 8, 2) // 3 slots × 4 × 2 nodes, and the root
	tr := &b.subs.tree
	free := tr.nfree
	for i := range 10000 {
		s := int32(i % 3)
		filter := []byte("x" + strconv.Itoa(i) + "/+/y/#")
		if k := b.subs.add(s, filter, 1); k < 0 {
			t.Fatalf("subscription %d refused (%d), %d nodes free", i, k, tr.nfree)
		}
		switch i % 4 {
		case 0, 1:
			b.subs.remove(s, filter)
		case 3:
			b.subs.removeAll(s)
		}
	}
	for s := range int32(3) {
		b.subs.removeAll(s)
	}
	if tr.nfree != free {
		t.Errorf("%d nodes free after unsubscribing all, want %d", tr.nfree, free)
	}
	for i, h := range tr.table {
		if h != 0 {
			t.Fatalf("hash chain %d still holds node %d", i, h-1)
		}
	}
}

// TestTreeRefusesWhenFull fills the pool and checks that a filter it has
// no room for is refused whole, and one sharing existing nodes is not.
func TestTreeRefusesWhenFull(t *testing.T) {
	b := treeBroker(t, 1, 8, 8, 1) // 2 slots × 8 × 1 node, and the root
	tr := &b.subs.tree
	tests := []struct {
		filter string
		want   int // slot, or a refusal
	}{
		{"a/b/c/d/e/f/g/+", 0}, // 8 nodes
		{"a/b/c/d/e/f/g/#", 1}, // none more
		{"a/b/c/d/e/f/+/+", 2}, // 2 more
		{"b/c/d/e/+", 3},       // 5 more: 15 of 16
		{"c/+", noNodes},       // 2 more
		{"a/b/x", 4},           // exact: none
		{"a/b/c/+", 5},         // 1 more: all 16
		{"d/#", noNodes},       // 1 more
		{"#", 6},               // none
		{"a/+/c/d/e/f/g/h/i", tooManyLevels},
	}
	for _, tt := range tests {
		before := tr.nfree
		if got := b.subs.add(0, []byte(tt.filter), 1); got != tt.want {
			t.Fatalf("add(%q) = %d, want %d", tt.filter, got, tt.want)
		}
		if tt.want < 0 && tr.nfree != before {
			t.Errorf("refusing %q took %d nodes", tt.filter, before-tr.nfree)
		}
	}
	if got := routed(b, "a/b/c/d/e/f/g/h"); !sameRoutes(got, map[int32]packet.QoS{0: 1}) {
		t.Errorf("routed to %v", got)
	}
}

// TestRoutingIgnoresUnrelatedFilters counts what routing a topic walks
// through with 8000 deep wildcard filters that cannot match it: as many
// as with none, not one per filter as with a list of them (checked
// against that list when the tree was written: 8000 visits).
func TestRoutingIgnoresUnrelatedFilters(t *testing.T) {
	const sessions, perSession, levels = 250, 32, 125
	tests := []struct {
		topic string
		want  int // sessions routed to
	}{
		{"sensors/kitchen/temperature", 0},
		{"a", 0},
		{strings.Repeat("x/", levels-1) + "b7_5", 1},
		{strings.Repeat("x/", levels-1) + "b8", 0},
		{strings.Repeat("x/", levels+10), 0},
	}
	var empty []int
	for _, filters := range []int{0, sessions * perSession} {
		b := treeBroker(t, sessions, perSession, levels, 0)
		for i := range filters {
			s, k := i/perSession, i%perSession
			filter := strings.Repeat("+/", levels-1) + "b" + strconv.Itoa(s) + "_" + strconv.Itoa(k)
			if got := b.subs.add(int32(s), []byte(filter), 1); got < 0 {
				t.Fatalf("filter %d refused (%d)", i, got)
			}
		}
		for i, tt := range tests {
			if got := routed(b, tt.topic); len(got) != min(tt.want, filters) {
				t.Errorf("%d filters: %.32q routed to %d sessions, want %d", filters, tt.topic, len(got), tt.want)
			}
			visits := routeVisits(b)
			t.Logf("%d filters, %d levels: %d visits", filters, levelCount([]byte(tt.topic)), visits)
			if filters == 0 {
				empty = append(empty, visits)
				continue
			}
			// The walk down the '+' nodes the topic's depth reaches, and
			// the few hash chain links and subscriptions on its way.
			if limit := 4*levelCount([]byte(tt.topic)) + 16; visits > limit {
				t.Errorf("%.32q (%d levels): %d visits with %d unrelated filters (%d with none), want at most %d",
					tt.topic, levelCount([]byte(tt.topic)), visits, filters, empty[i], limit)
			}
		}
	}
}

// routeVisits is what the last collect walked through.
func routeVisits(b *Broker) int { return b.subs.tree.visited }
