package main

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gatomqtt/gatomqtt/harness/client"

	"github.com/gatomqtt/gatomqtt/peers"
)

// denyACL is an acl_file with the lines real ones use: user sections with
// a wide read and a deny carved out of it, and patterns of the client
// identifier and user name, one of them a deny. The subscribers' filters
// are granted by both gatomqtt and mosquitto (which grants every
// SUBSCRIBE and checks reading only at delivery).
const denyACL = `# alice reads everything but secret/#
user alice
topic read #
topic deny secret/#
topic readwrite chat/#

user bob
topic readwrite news/#
topic write secret/#
topic write dev/#

# every client: its own device subtree, but not its keys
pattern readwrite dev/%c/#
pattern deny dev/%c/keys
pattern read home/%u/#
pattern write home/+/inbox
`

// denyUsers are the users of denyACL.
var denyUsers = []peers.User{{Name: "alice", Password: "wonderland"}, {Name: "bob", Password: "builder"}}

// aclOutcome is what the clients of aclScenario got.
type aclOutcome struct {
	subacks map[string][]byte   // SUBACK codes by subscriber
	got     map[string][]string // topics delivered, sorted, by subscriber
}

// aclScenario runs, against the broker at addr with denyACL and
// denyUsers, clients that subscribe and publish across the grants, denies
// and patterns, and returns what each subscriber was granted and got.
func aclScenario(t *testing.T, addr string) aclOutcome {
	t.Helper()
	out := aclOutcome{subacks: map[string][]byte{}, got: map[string][]string{}}
	conn := func(id string, u peers.User) *client.RawClient {
		c := dial(t, addr)
		mustConnect(t, c, client.ConnectOptions{ClientID: id, CleanSession: true, Username: u.Name, Password: u.Password})
		return c
	}
	alice, bob := denyUsers[0], denyUsers[1]
	aliceSub := conn("alice-sub", alice)
	bobSub := conn("bob-sub", bob)
	bobPub := conn("bob-pub", bob)
	for _, s := range []struct {
		c       *client.RawClient
		name    string
		filters []string
	}{
		{aliceSub, "alice-sub", []string{"#"}},
		{bobSub, "bob-sub", []string{"home/bob/#", "dev/bob-sub/+", "news/#"}},
	} {
		ack, err := s.c.Subscribe(1, 0, ioWait, s.filters...)
		check(t, err)
		out.subacks[s.name] = ack.ReturnCodes
	}
	id := uint16(0)
	publish := func(topic string) {
		id++
		check(t, bobPub.Publish(topic, []byte("x"), 1, false, id))
		check(t, bobPub.ExpectPuback(id, ioWait))
	}
	for _, topic := range []string{
		"news/1", "secret/1", "chat/1", "home/bob/inbox", "home/alice/inbox",
		"dev/bob-pub/t", "dev/bob-pub/keys", "dev/alice-sub/t", "dev/alice-sub/keys",
	} {
		publish(topic)
	}
	// bob-sub publishes below its own identifier, at QoS 0 to read
	// nothing but deliveries, and waits for its own last message.
	for _, topic := range []string{"dev/bob-sub/t", "dev/bob-sub/keys", "dev/bob-sub/end"} {
		check(t, bobSub.Publish(topic, []byte("x"), 0, false, 0))
	}
	bobGot := collectUntil(t, bobSub, "dev/bob-sub/end")
	publish("news/end")
	out.got["alice-sub"] = collectUntil(t, aliceSub, "news/end")
	out.got["bob-sub"] = append(bobGot, collectUntil(t, bobSub, "news/end")...)
	for _, g := range out.got {
		slices.Sort(g)
	}
	return out
}

// collectUntil returns the topics of the messages c receives up to and
// including one on last.
func collectUntil(t *testing.T, c *client.RawClient, last string) []string {
	t.Helper()
	var topics []string
	for {
		p, err := c.ExpectPublish(ioWait)
		if err != nil {
			t.Fatalf("waiting for %s after %v: %v", last, topics, err)
		}
		topics = append(topics, string(p.Topic))
		if string(p.Topic) == last {
			return topics
		}
	}
}

// wantACLOutcome is what denyACL means, as mosquitto reads it: the lines
// of a client's user decide first, then the patterns. alice's "#" gets
// every topic that was written but secret/1, which her topic deny takes
// away; the pattern deny of dev/%c/keys does not override her "topic read
// #" (nor bob's "topic write dev/#", so bob-pub and bob-sub may write
// keys), but it does keep dev/bob-sub/keys from bob-sub, whose reading of
// dev/bob-sub/+ is granted by a pattern only. chat/1 is denied writing.
var wantACLOutcome = aclOutcome{
	subacks: map[string][]byte{"alice-sub": {0}, "bob-sub": {0, 0, 0}},
	got: map[string][]string{
		"alice-sub": {"dev/alice-sub/keys", "dev/alice-sub/t", "dev/bob-pub/keys", "dev/bob-pub/t",
			"dev/bob-sub/end", "dev/bob-sub/keys", "dev/bob-sub/t",
			"home/alice/inbox", "home/bob/inbox", "news/1", "news/end"},
		"bob-sub": {"dev/bob-sub/end", "dev/bob-sub/t", "home/bob/inbox", "news/1", "news/end"},
	},
}

func checkOutcome(t *testing.T, got aclOutcome) {
	t.Helper()
	for _, sub := range []string{"alice-sub", "bob-sub"} {
		if !slices.Equal(got.subacks[sub], wantACLOutcome.subacks[sub]) {
			t.Errorf("%s: SUBACK codes %v, want %v", sub, got.subacks[sub], wantACLOutcome.subacks[sub])
		}
		if !slices.Equal(got.got[sub], wantACLOutcome.got[sub]) {
			t.Errorf("%s got\n\t%q\nwant\n\t%q", sub, got.got[sub], wantACLOutcome.got[sub])
		}
	}
}

// writeACLFiles writes denyACL and a users file for denyUsers in a
// directory others may read (mosquitto run as root reads its acl_file as
// its own user) and returns their paths.
func writeACLFiles(t *testing.T) (acl, users string) {
	t.Helper()
	// t.TempDir's parent is private to this user.
	dir, err := os.MkdirTemp("", "gatomqtt-acl-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	acl, users = filepath.Join(dir, "acl"), filepath.Join(dir, "users.txt")
	var lines string
	for _, u := range denyUsers {
		lines += u.Name + ":" + u.Password + "\n"
	}
	if err := os.WriteFile(acl, []byte(denyACL), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(users, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	return acl, users
}

// TestRunACLDenyAndPatterns checks the daemon against what denyACL means,
// among which that a "#" subscriber does not get a topic it may not read
// while it gets the others.
func TestRunACLDenyAndPatterns(t *testing.T) {
	acl, users := writeACLFiles(t)
	addr := start(t, "-users", users, "-acl", acl)
	checkOutcome(t, aclScenario(t, addr))
}

// TestACLSameAsMosquitto gives mosquitto the same acl_file and users and
// checks that it comes to the same outcome. The scenario keeps to what
// both brokers grant: mosquitto grants every SUBSCRIBE and filters only at
// delivery, where gatomqtt refuses a filter no single read grant covers.
func TestACLSameAsMosquitto(t *testing.T) {
	if testing.Short() {
		t.Skip("starts mosquitto")
	}
	acl, _ := writeACLFiles(t)
	m, err := peers.StartMosquitto(peers.MosquittoOptions{Users: denyUsers, Config: []string{"acl_file " + acl}})
	if errors.Is(err, peers.ErrNotInstalled) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Stop(); err != nil {
			t.Error(err)
		}
	})
	checkOutcome(t, aclScenario(t, m.Addr))
}
