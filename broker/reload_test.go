package broker_test

import (
	"errors"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// TestReloadRefuses: Reload checks as New does, and a refused reload
// leaves the old users and ACL in force.
func TestReloadRefuses(t *testing.T) {
	users := []broker.User{{Name: "alice", Password: "a"}}
	b := newBroker(t, broker.Config{Limits: smallLimits(), Users: users})
	tests := []struct {
		name  string
		users []broker.User
		acl   broker.ACL
		err   error
	}{
		{"ACL of an unknown user", users, broker.ACL{{User: "bob", Filter: "#", Access: broker.Read}}, broker.ErrACL},
		{"invalid filter", users, broker.ACL{{User: "alice", Filter: "a/#/b", Access: broker.Read}}, broker.ErrACL},
		{"filter too long", users, broker.ACL{{User: "alice", Filter: string(make([]byte, 1000)), Access: broker.Read}}, broker.ErrACL},
		{"pattern with a user", users, broker.ACL{{User: "alice", Pattern: true, Filter: "#", Access: broker.Read}}, broker.ErrACL},
		{"user given twice", []broker.User{{Name: "bob", Password: "b"}, {Name: "bob", Password: "c"}}, nil, broker.ErrUsers},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := b.Reload(tt.users, tt.acl); !errors.Is(err, tt.err) {
				t.Fatalf("Reload: %v, want %v", err, tt.err)
			}
			mustConnect(t, b, "alice-1", true, withUser("alice", "a"))
		})
	}
}

// TestReloadUsersAndACL: after Reload, new CONNECTs use the new users,
// connections and sessions are kept with their login, and the new ACL
// decides at once, for publishing, subscribing and delivering.
func TestReloadUsersAndACL(t *testing.T) {
	b := newBroker(t, broker.Config{
		Limits: smallLimits(),
		Users:  []broker.User{{Name: "alice", Password: "a"}, {Name: "carol", Password: "c"}},
		ACL: broker.ACL{
			{User: "alice", Filter: "#", Access: broker.ReadWrite},
			{User: "carol", Filter: "#", Access: broker.ReadWrite},
		},
	})
	alice := mustConnect(t, b, "alice-1", false, withUser("alice", "a"))
	if code := alice.subscribe("t/#", 1); code != 1 {
		t.Fatalf("SUBACK %#x before reload", code)
	}
	carol := mustConnect(t, b, "carol-1", true, withUser("carol", "c"))

	// alice is removed; bob is new; carol may no longer read t/secret.
	err := b.Reload(
		[]broker.User{{Name: "bob", Password: "b"}, {Name: "carol", Password: "c2"}},
		broker.ACL{
			{User: "carol", Filter: "#", Access: broker.ReadWrite},
			{User: "carol", Filter: "t/secret", Access: broker.Deny},
			{User: "bob", Filter: "t/#", Access: broker.Write},
			{Pattern: true, Filter: "t/open", Access: broker.Read},
		})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		user, password string
		want           packet.ConnackCode
	}{
		{"alice", "a", packet.RefusedBadUsernamePassword},
		{"carol", "c", packet.RefusedBadUsernamePassword},
		{"carol", "c2", packet.Accepted},
		{"bob", "b", packet.Accepted},
	}
	for _, tt := range tests {
		if ack := dial(t, b).connect("x-"+tt.user, true, withUser(tt.user, tt.password)); ack.ReturnCode != tt.want {
			t.Errorf("%s/%s after reload: CONNACK %d, want %d", tt.user, tt.password, ack.ReturnCode, tt.want)
		}
	}

	// alice's connection stays, as alice: the new ACL has no grant of
	// hers, so only the pattern lets her read, at delivery too.
	bob := mustConnect(t, b, "bob-1", true, withUser("bob", "b"))
	if code := carol.subscribe("t/#", 1); code != 1 {
		t.Fatalf("carol SUBACK %#x", code)
	}
	bob.publish("t/open", "1", 1, false)
	bob.publish("t/secret", "2", 1, false)
	bob.publish("t/other", "3", 1, false)
	alice.expectPublish("t/open", "1")
	alice.expectNothing()
	carol.expectPublish("t/open", "1")
	carol.expectPublish("t/other", "3")
	carol.expectNothing()
	if code := alice.subscribe("u/#", 0); code != packet.SubackFailure {
		t.Errorf("alice subscribing after her grants went: SUBACK %#x, want 0x80", code)
	}

	// alice's persistent session survives the reloads; with no users
	// left, anyone may connect again, as with New.
	alice.disconnect()
	if err := b.Reload(nil, nil); err != nil {
		t.Fatal(err)
	}
	again := dial(t, b)
	if ack := again.connect("alice-1", false); ack.ReturnCode != packet.Accepted || !ack.SessionPresent {
		t.Fatalf("alice-1 without users: CONNACK %d, session present %v; want 0, true", ack.ReturnCode, ack.SessionPresent)
	}
}

// TestReloadWhileServing reloads over and over while clients log in,
// subscribe and publish, for the race detector: CONNECT and the checks
// read the users and the ACL without the broker's lock.
func TestReloadWhileServing(t *testing.T) {
	users := []broker.User{{Name: "alice", Password: "a"}}
	acl := broker.ACL{{User: "alice", Filter: "#", Access: broker.ReadWrite}}
	b := newBroker(t, broker.Config{Limits: smallLimits(), Users: users, ACL: acl, Authorize: acl.Authorize})
	stop := make(chan struct{})
	reloaded := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				reloaded <- n
				return
			default:
			}
			if err := b.Reload(users, acl); err != nil {
				t.Error(err)
			}
			n++
		}
	}()
	sub := mustConnect(t, b, "sub", true, withUser("alice", "a"))
	sub.subscribe("t/#", 0)
	for range 20 {
		c := mustConnect(t, b, "pub", true, withUser("alice", "a"))
		c.publish("t/x", "m", 1, false)
		sub.expectPublish("t/x", "m")
		c.disconnect()
	}
	close(stop)
	if n := <-reloaded; n == 0 {
		t.Error("no reload ran")
	}
}
