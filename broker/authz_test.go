package broker_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// testACL lets alice read and write open/#, only read ro/#, and write
// wo/x; anonymous clients (no users configured) may read and write pub/#.
var testACL = broker.ACL{
	{User: "alice", Filter: "open/#", Access: broker.ReadWrite},
	{User: "alice", Filter: "ro/#", Access: broker.Read},
	{User: "alice", Filter: "wo/x", Access: broker.Write},
	{User: "alice", Filter: "$SYS/#", Access: broker.Read},
	{User: "", Filter: "pub/#", Access: broker.ReadWrite},
}

func TestACLAuthorize(t *testing.T) {
	tests := []struct {
		user, topic string
		write, want bool
	}{
		{"alice", "open/a", true, true},
		{"alice", "open/a", false, true},
		{"alice", "open/#", false, true},
		{"alice", "open", true, true},
		{"alice", "ro/a", false, true},
		{"alice", "ro/a", true, false},
		{"alice", "ro/+/b", false, true},
		{"alice", "wo/x", true, true},
		{"alice", "wo/x", false, false},
		{"alice", "wo/y", true, false},
		{"alice", "#", false, false},
		{"alice", "+/a", false, false},
		{"alice", "$SYS/broker", false, true},
		{"alice", "$SYS/broker", true, false},
		{"alice", "pub/a", true, false}, // anonymous grants are not alice's
		{"", "pub/a", true, true},
		{"", "pub/#", false, true},
		{"", "open/a", true, false},
		{"bob", "open/a", false, false},
		{"alic", "open/a", false, false},
	}
	for _, tt := range tests {
		var user []byte
		if tt.user != "" {
			user = []byte(tt.user)
		}
		if got := testACL.Authorize(user, []byte(tt.topic), tt.write); got != tt.want {
			t.Errorf("Authorize(%q, %q, write %v) = %v, want %v", tt.user, tt.topic, tt.write, got, tt.want)
		}
	}
	if (broker.ACL{}).Authorize(nil, []byte("a"), false) {
		t.Error("an empty ACL allowed a subscription")
	}
}

func TestACLAuthorizeDoesNotAllocate(t *testing.T) {
	user, topic := []byte("alice"), []byte("wo/x")
	allocs := testing.AllocsPerRun(100, func() {
		if !testACL.Authorize(user, topic, true) {
			t.Fatal("denied")
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per check, want 0", allocs)
	}
}

var alice = broker.User{Name: "alice", Password: "wonderland"}

// aclBroker returns a broker with the user alice and testACL.
func aclBroker(t *testing.T) *broker.Broker {
	return newBroker(t, broker.Config{Limits: smallLimits(), Users: []broker.User{alice}, Authorize: testACL.Authorize})
}

func TestDeniedPublishIsAcknowledgedAndDropped(t *testing.T) {
	for _, qos := range []packet.QoS{0, 1, 2} {
		for _, retain := range []bool{false, true} {
			t.Run(fmt.Sprintf("QoS %d retain %v", qos, retain), func(t *testing.T) {
				b := aclBroker(t)
				login := withUser(alice.Name, alice.Password)
				sub := mustConnect(t, b, "sub", true, login)
				if code := sub.subscribe("ro/#", 2); code != 2 {
					t.Fatalf("SUBACK %#x for a readable filter, want 2", code)
				}
				pub := mustConnect(t, b, "pub", true, login)
				// publish completes the acknowledgement flow of the QoS
				// (MQTT-3.3.5-2) and fails on anything else.
				pub.publish("ro/x", "denied", qos, retain)
				sub.expectNothing()
				st := b.Stats()
				if st.DroppedBy[broker.DropDenied] != 1 || st.MessagesIn != 0 || st.Retained != 0 {
					t.Errorf("DropDenied %d, MessagesIn %d, Retained %d; want 1, 0, 0",
						st.DroppedBy[broker.DropDenied], st.MessagesIn, st.Retained)
				}
				late := mustConnect(t, b, "late", true, login)
				late.subscribe("ro/x", 0)
				late.expectNothing()
				// The connection goes on: an allowed topic is delivered.
				sub.subscribe("wo/x", 0) // not readable: refused, and nothing changes
				pub.publish("wo/x", "allowed but unread", qos, retain)
				sub.expectNothing()
				if code := sub.subscribe("open/x", 1); code != 1 {
					t.Fatalf("SUBACK %#x for open/x, want 1", code)
				}
				pub.publish("open/x", "allowed", qos, false)
				p := sub.expectPublish("open/x", "allowed")
				sub.ack(p)
			})
		}
	}
}

func TestDeniedQoS2IsAcknowledgedOnceAgain(t *testing.T) {
	b := aclBroker(t)
	pub := mustConnect(t, b, "pub", true, withUser(alice.Name, alice.Password))
	// A resent QoS 2 PUBLISH before PUBREL gets PUBREC again and is
	// counted once.
	for range 2 {
		pub.send(packet.Publish{Topic: []byte("ro/x"), QoS: 2, PacketID: 9})
		if rec := recvAs[*packet.Pubrec](pub); rec.PacketID != 9 {
			t.Fatalf("PUBREC %d, want 9", rec.PacketID)
		}
	}
	pub.send(packet.Pubrel{PacketID: 9})
	if comp := recvAs[*packet.Pubcomp](pub); comp.PacketID != 9 {
		t.Fatalf("PUBCOMP %d, want 9", comp.PacketID)
	}
	if n := b.Stats().DroppedBy[broker.DropDenied]; n != 1 {
		t.Errorf("DropDenied %d, want 1", n)
	}
}

func TestDeniedSubscription(t *testing.T) {
	tests := []struct {
		filters []string
		want    []byte
	}{
		{[]string{"open/a"}, []byte{1}},
		{[]string{"ro/#"}, []byte{1}},
		{[]string{"wo/x"}, []byte{0x80}},
		{[]string{"#"}, []byte{0x80}},
		{[]string{"+/x"}, []byte{0x80}},
		{[]string{"open/+", "#", "ro/a", "pub/a"}, []byte{1, 0x80, 1, 0x80}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.filters), func(t *testing.T) {
			b := aclBroker(t)
			c := mustConnect(t, b, "c", true, withUser(alice.Name, alice.Password))
			var fs []packet.Filter
			for _, f := range tt.filters {
				fs = append(fs, packet.Filter{Topic: []byte(f), QoS: 1})
			}
			got := c.subscribeMany(fs...)
			if string(got) != string(tt.want) {
				t.Fatalf("SUBACK codes % x, want % x", got, tt.want)
			}
			denied := 0
			for _, code := range tt.want {
				if code == packet.SubackFailure {
					denied++
				}
			}
			if n := b.Stats().SubscriptionsDenied; n != uint64(denied) {
				t.Errorf("SubscriptionsDenied %d, want %d", n, denied)
			}
			// A refused filter subscribed nothing: the in-process client,
			// which Authorize does not bind, publishes to all of them.
			for _, f := range tt.filters {
				if err := b.Publish(subTopic(f), []byte("m"), 0, false); err != nil {
					t.Fatal(err)
				}
			}
			for i, code := range tt.want {
				if code != packet.SubackFailure {
					c.expectPublish(subTopic(tt.filters[i]), "m")
				}
			}
			c.expectNothing()
		})
	}
}

// subTopic turns a filter into a topic it matches.
func subTopic(filter string) string {
	out := []byte(filter)
	for i, c := range out {
		if c == '+' || c == '#' {
			out[i] = 'w'
		}
	}
	return string(out)
}

func TestDeniedWillRefusesConnect(t *testing.T) {
	tests := []struct {
		topic string
		want  packet.ConnackCode
	}{
		{"open/will", packet.Accepted},
		{"wo/x", packet.Accepted},
		{"ro/will", packet.RefusedNotAuthorized},
		{"elsewhere", packet.RefusedNotAuthorized},
	}
	for _, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			b := aclBroker(t)
			c := dial(t, b)
			ack := c.connect("c", true, withUser(alice.Name, alice.Password), withWill(tt.topic, "bye", 1, false))
			if ack.ReturnCode != tt.want {
				t.Fatalf("CONNACK %d, want %d", ack.ReturnCode, tt.want)
			}
			if tt.want != packet.Accepted {
				if err := c.expectClosed(); !errors.Is(err, broker.ErrRefused) {
					t.Errorf("ServeConn returned %v, want ErrRefused", err)
				}
				if n := b.Stats().ConnectionsRefused; n != 1 {
					t.Errorf("ConnectionsRefused %d, want 1", n)
				}
			}
		})
	}
}

// TestAuthorizerSeesTheLoggedInUser checks what an Authorizer is given:
// the configured name of the user the client logged in as, or nil with no
// users configured (the client's user name is then ignored).
func TestAuthorizerSeesTheLoggedInUser(t *testing.T) {
	tests := []struct {
		name  string
		users []broker.User
		login []connectOpt
		want  string // "<nil>" for a nil user
	}{
		{"no users", nil, nil, "<nil>"},
		{"no users, name given", nil, []connectOpt{withUser("mallory", "x")}, "<nil>"},
		{"first user", []broker.User{alice, {Name: "bob", Password: "b"}}, []connectOpt{withUser("alice", "wonderland")}, "alice"},
		{"second user", []broker.User{alice, {Name: "bob", Password: "b"}}, []connectOpt{withUser("bob", "b")}, "bob"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var seen []string
			authz := func(user, topic []byte, write bool) bool {
				u := "<nil>"
				if user != nil {
					u = string(user)
				}
				mu.Lock()
				seen = append(seen, fmt.Sprintf("%s %s %v", u, topic, write))
				mu.Unlock()
				return true
			}
			b := newBroker(t, broker.Config{Limits: smallLimits(), Users: tt.users, Authorize: authz})
			c := mustConnect(t, b, "c", true, append(tt.login, withWill("w/t", "bye", 0, false))...)
			c.subscribe("s/#", 0)
			c.publish("p/t", "x", 1, false)
			mu.Lock()
			defer mu.Unlock()
			want := []string{tt.want + " w/t true", tt.want + " s/# false", tt.want + " p/t true"}
			if fmt.Sprint(seen) != fmt.Sprint(want) {
				t.Errorf("Authorize calls %q, want %q", seen, want)
			}
		})
	}
}
