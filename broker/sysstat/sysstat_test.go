package sysstat_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/broker/sysstat"
)

const wait = 5 * time.Second

func newBroker(t *testing.T, cfg broker.Config) *broker.Broker {
	t.Helper()
	cfg.Limits = broker.PicoLimits
	b, err := broker.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// connect serves a client of b on a pipe and connects it as user.
func connect(t *testing.T, b *broker.Broker, id, user string) *client.RawClient {
	t.Helper()
	srv, cli := net.Pipe()
	go b.ServeConn(srv)
	c := client.NewRawClient(cli)
	t.Cleanup(func() { c.Close() })
	o := client.ConnectOptions{ClientID: id, CleanSession: true}
	if user != "" {
		o.Username, o.Password = user, "pw-"+user
	}
	ack, err := c.Connect(o, wait)
	if err != nil || ack.ReturnCode != packet.Accepted {
		t.Fatalf("CONNACK %v (%v) for %s", ack, err, id)
	}
	return c
}

func subscribe(t *testing.T, c *client.RawClient, filter string) byte {
	t.Helper()
	ack, err := c.Subscribe(1, 0, wait, filter)
	if err != nil {
		t.Fatal(err)
	}
	return ack.ReturnCodes[0]
}

// collect reads the n messages of one update and returns them by topic.
func collect(t *testing.T, c *client.RawClient, n int) map[string]string {
	t.Helper()
	pubs, err := c.CollectPublishes(n, wait)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range pubs {
		got[string(p.Topic)] = string(p.Payload)
	}
	return got
}

// expectNothingMore checks, with a PINGREQ round trip, that no message is
// waiting for c: the broker writes a connection's packets in order, and
// Publish returns once it has routed the messages.
func expectNothingMore(t *testing.T, c *client.RawClient) {
	t.Helper()
	if err := c.Send(packet.Pingreq{}); err != nil {
		t.Fatal(err)
	}
	if err := c.ExpectPingresp(wait); err != nil {
		t.Fatal(err)
	}
}

func number(t *testing.T, m map[string]string, topic string) int {
	t.Helper()
	n, err := strconv.Atoi(m[topic])
	if err != nil {
		t.Fatalf("%s = %q, want a number", topic, m[topic])
	}
	return n
}

// TestPublish: a client subscribed to "$SYS/#" gets every topic, with
// figures that follow what it does.
func TestPublish(t *testing.T) {
	b := newBroker(t, broker.Config{})
	p := sysstat.NewPublisher(b)
	c := connect(t, b, "watcher", "")
	if code := subscribe(t, c, "$SYS/#"); code != 0 {
		t.Fatalf("SUBACK %#x for $SYS/#", code)
	}
	if err := p.Publish(); err != nil {
		t.Fatal(err)
	}
	first := collect(t, c, len(sysstat.Topics))
	for _, topic := range sysstat.Topics {
		if _, ok := first[topic]; !ok {
			t.Errorf("%s not published", topic)
		}
	}
	if v := first[sysstat.TopicVersion]; !strings.HasPrefix(v, "gatomqtt version ") {
		t.Errorf("version %q", v)
	}
	if v := first[sysstat.TopicUptime]; !strings.HasSuffix(v, " seconds") {
		t.Errorf("uptime %q, want \"<n> seconds\"", v)
	}
	for topic, want := range map[string]int{
		sysstat.TopicClientsConnected: 1,
		sysstat.TopicClientsTotal:     1,
		sysstat.TopicClientsMaximum:   1,
		sysstat.TopicPublishReceived:  0,
		sysstat.TopicPublishDropped:   0,
	} {
		if got := number(t, first, topic); got != want {
			t.Errorf("%s = %d, want %d", topic, got, want)
		}
	}

	// One PUBLISH more from the client; a second client connected.
	if err := c.PublishWait("t", []byte("hello"), 1, false, 7, wait); err != nil {
		t.Fatal(err)
	}
	connect(t, b, "other", "")
	if err := p.Publish(); err != nil {
		t.Fatal(err)
	}
	second := collect(t, c, len(sysstat.Topics))
	for topic, want := range map[string]int{
		sysstat.TopicClientsConnected: 2,
		sysstat.TopicClientsMaximum:   2,
		sysstat.TopicPublishReceived:  1,
		// The retained $SYS messages themselves.
		sysstat.TopicRetainedCount: len(sysstat.Topics),
	} {
		if got := number(t, second, topic); got != want {
			t.Errorf("after a PUBLISH: %s = %d, want %d", topic, got, want)
		}
	}
	for _, topic := range []string{sysstat.TopicBytesReceived, sysstat.TopicBytesSent, sysstat.TopicPublishSent} {
		if number(t, second, topic) <= number(t, first, topic) {
			t.Errorf("%s went from %s to %s, want it to grow", topic, first[topic], second[topic])
		}
	}
}

// TestPublishFollowsACL: the ACL decides who gets $SYS: a user without a
// grant of it is refused the filter and gets nothing through "#", and a
// Deny inside a grant holds at delivery.
func TestPublishFollowsACL(t *testing.T) {
	users := []broker.User{{Name: "ops", Password: "pw-ops"}, {Name: "eve", Password: "pw-eve"}, {Name: "part", Password: "pw-part"}}
	b := newBroker(t, broker.Config{Users: users, ACL: broker.ACL{
		{User: "ops", Filter: "$SYS/#", Access: broker.Read},
		{User: "eve", Filter: "#", Access: broker.ReadWrite},
		{User: "eve", Filter: "$SYS/#", Access: broker.Deny},
		{User: "part", Filter: "$SYS/#", Access: broker.Read},
		{User: "part", Filter: "$SYS/broker/bytes/#", Access: broker.Deny},
	}})
	ops, eve, part := connect(t, b, "ops", "ops"), connect(t, b, "eve", "eve"), connect(t, b, "part", "part")
	if code := subscribe(t, eve, "$SYS/#"); code != packet.SubackFailure {
		t.Errorf("eve: SUBACK %#x for $SYS/#, want 0x80", code)
	}
	if code := subscribe(t, eve, "#"); code != 0 {
		t.Errorf("eve: SUBACK %#x for #, want 0", code)
	}
	for _, c := range []*client.RawClient{ops, part} {
		if code := subscribe(t, c, "$SYS/#"); code != 0 {
			t.Fatalf("SUBACK %#x for $SYS/#", code)
		}
	}
	if err := sysstat.NewPublisher(b).Publish(); err != nil {
		t.Fatal(err)
	}
	if got := collect(t, ops, len(sysstat.Topics)); len(got) != len(sysstat.Topics) {
		t.Errorf("ops got %d topics, want %d", len(got), len(sysstat.Topics))
	}
	gotPart := collect(t, part, len(sysstat.Topics)-2)
	for topic := range gotPart {
		if strings.HasPrefix(topic, "$SYS/broker/bytes/") {
			t.Errorf("part got %s, which it may not read", topic)
		}
	}
	expectNothingMore(t, part)
	expectNothingMore(t, eve)
}

// TestRun publishes at once, then every interval, until ctx is done.
func TestRun(t *testing.T) {
	b := newBroker(t, broker.Config{})
	c := connect(t, b, "watcher", "")
	subscribe(t, c, "$SYS/broker/uptime")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sysstat.Run(ctx, b, time.Millisecond) }()
	collect(t, c, 3)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}
}
