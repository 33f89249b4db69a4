package broker_test

import (
	"errors"
	"strconv"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// readDenyACL lets anonymous clients read everything but a/secret/# and
// their own client identifier's private level, and write anywhere below
// a/ but a/secret/# and below their own c/<client id>/. The reading of
// "#" is a pattern, so that the pattern Deny beside it overrides it.
var readDenyACL = broker.ACL{
	{Filter: "a/#", Access: broker.ReadWrite},
	{Filter: "a/secret/#", Access: broker.Deny},
	{Pattern: true, Filter: "#", Access: broker.Read},
	{Pattern: true, Filter: "c/%c/#", Access: broker.ReadWrite},
	{Pattern: true, Filter: "c/%c/private", Access: broker.Deny},
}

// TestWideSubscriptionRespectsReadDeny subscribes to "#", which a read
// grant covers, and checks that the topics a Deny takes away are not
// delivered while the others are, live and retained.
func TestWideSubscriptionRespectsReadDeny(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits(), ACL: readDenyACL})
	pub := mustConnect(t, b, "pub", true)
	pub.publish("a/secret/old", "retained secret", 1, true)
	pub.publish("a/old", "retained", 1, true)
	if st := b.Stats(); st.DroppedBy[broker.DropDenied] != 1 || st.Retained != 1 {
		t.Fatalf("writing a/secret/old: DropDenied %d, Retained %d; want 1, 1 (a Deny takes writing too)",
			st.DroppedBy[broker.DropDenied], st.Retained)
	}

	// The in-process client, which the ACL does not check, can retain a
	// denied topic; replaying it is a delivery and checked as one.
	if err := b.Publish("a/secret/kept", []byte("kept"), 1, true); err != nil {
		t.Fatal(err)
	}

	sub := mustConnect(t, b, "sub", true)
	if code := sub.subscribe("#", 1); code != 1 {
		t.Fatalf("SUBACK %#x for #, want 1", code)
	}
	sub.expectPublish("a/old", "retained")
	if code := sub.subscribe("a/secret/#", 1); code != packet.SubackFailure {
		t.Fatalf("SUBACK %#x for a wholly denied filter, want 0x80", code)
	}

	// The in-process client is not subject to the ACL, so it can publish
	// the denied topic: only the delivery check keeps it from sub.
	for _, m := range []struct {
		topic string
		want  bool
	}{
		{"a/x", true},
		{"a/secret/x", false},
		{"a/secret", false},
		{"a/secretive", true},
		{"c/sub/private", false}, // sub's own private level
		{"c/pub/private", true},  // another client's
		{"c/sub/t", true},
	} {
		if err := b.Publish(m.topic, []byte(m.topic), 1, false); err != nil {
			t.Fatal(err)
		}
		if m.want {
			sub.ack(sub.expectPublish(m.topic, m.topic))
		}
	}
	sub.expectNothing()
	if n := b.Stats().DroppedBy[broker.DropReadDenied]; n != 4 {
		t.Errorf("DropReadDenied %d, want 4 (a retained replay and 3 messages)", n)
	}

	// pub's own publications below c/pub/ reach sub when not private to
	// sub, and pub may not write c/sub/t.
	pub.publish("c/pub/t", "own", 0, false)
	sub.expectPublish("c/pub/t", "own")
	pub.publish("c/sub/t", "not pub's", 0, false)
	sub.expectNothing()
}

// TestReadDenyAppliesToQueuedDeliveries checks the delivery check for a
// persistent session that is offline when the message comes.
func TestReadDenyAppliesToQueuedDeliveries(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits(), ACL: readDenyACL})
	sub := mustConnect(t, b, "sub", false)
	sub.subscribe("a/+", 1)
	sub.disconnect()
	for _, topic := range []string{"a/secret", "a/x"} {
		if err := b.Publish(topic, []byte(topic), 1, false); err != nil {
			t.Fatal(err)
		}
	}
	sub = mustConnect(t, b, "sub", false)
	sub.ack(sub.expectPublish("a/x", "a/x"))
	sub.expectNothing()
}

func TestNewRefusesBadACL(t *testing.T) {
	users := []broker.User{{Name: "alice", Password: "x"}}
	for _, acl := range []broker.ACL{
		{{Filter: "a/#/b", Access: broker.Read}},
		{{Filter: "a", Access: 0}},
		{{User: "bob", Filter: "a", Access: broker.Read}},
		{{User: "alice", Pattern: true, Filter: "a", Access: broker.Read}},
	} {
		_, err := broker.New(broker.Config{Limits: smallLimits(), Users: users, ACL: acl})
		if !errors.Is(err, broker.ErrACL) {
			t.Errorf("New with %+v: %v, want ErrACL", acl, err)
		}
	}
}

// TestReadDenyDoesNotAllocate routes through an ACL with denies and
// patterns that every delivery is checked against, including ones that
// take the message away from a subscriber.
func TestReadDenyDoesNotAllocate(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts need a quiet process")
	}
	acl := broker.ACL{
		{Filter: "other/#", Access: broker.Read},
		{Pattern: true, Filter: "bench/#", Access: broker.ReadWrite},
		{Pattern: true, Filter: "bench/%c", Access: broker.Deny},
		{Pattern: true, Filter: "other/%c/#", Access: broker.ReadWrite},
		{Filter: "bench/secret", Access: broker.Deny},
	}
	for _, qos := range []packet.QoS{0, 1} {
		t.Run("QoS "+strconv.Itoa(int(qos)), func(t *testing.T) {
			b, subs := fanoutWith(t, broker.Config{Limits: broker.HostLimits, ACL: acl}, 4, qos)
			// Publishing to bench/sub0 checks the pattern Deny, with sub0's
			// identifier in place, for every subscriber; sub0 gets nothing.
			routeAllocsTo(t, b, subs[1:], "bench/sub0", qos)
			if n := b.Stats().DroppedBy[broker.DropReadDenied]; n == 0 {
				t.Error("no delivery was read-denied")
			}
			if n := subs[0].publishes(); n != 0 {
				t.Errorf("sub0 got %d messages on its denied topic", n)
			}
		})
	}
}
