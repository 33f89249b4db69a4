package broker_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/brokertest"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

func TestConnackCodes(t *testing.T) {
	users := []broker.User{{Name: "alice", Password: "wonderland"}, {Name: "bob", Password: "b"}}
	long := strings.Repeat("x", 24)
	tests := []struct {
		name  string
		users []broker.User
		lim   func(*broker.Limits)
		id    string
		clean bool
		opts  []connectOpt
		want  packet.ConnackCode
	}{
		{name: "anonymous allowed without users", id: "c", clean: true, want: packet.Accepted},
		{name: "credentials ignored without users", id: "c", clean: true, opts: []connectOpt{withUser("x", "y")}, want: packet.Accepted},
		{name: "good user", users: users, id: "c", opts: []connectOpt{withUser("alice", "wonderland")}, want: packet.Accepted},
		{name: "second user", users: users, id: "c", opts: []connectOpt{withUser("bob", "b")}, want: packet.Accepted},
		{name: "wrong password", users: users, id: "c", opts: []connectOpt{withUser("alice", "wonderlan")}, want: packet.RefusedBadUsernamePassword},
		{name: "other user's password", users: users, id: "c", opts: []connectOpt{withUser("alice", "b")}, want: packet.RefusedBadUsernamePassword},
		{name: "missing password", users: users, id: "c", opts: []connectOpt{withUser("alice", "")}, want: packet.RefusedBadUsernamePassword},
		{name: "unknown user", users: users, id: "c", opts: []connectOpt{withUser("eve", "wonderland")}, want: packet.RefusedBadUsernamePassword},
		{name: "no user name", users: users, id: "c", want: packet.RefusedNotAuthorized},
		{name: "empty id with clean session", id: "", clean: true, want: packet.Accepted},
		{name: "empty id without clean session", id: "", clean: false, want: packet.RefusedIdentifierRejected},
		{name: "id of 23 bytes", id: long[:23], want: packet.Accepted},
		{name: "id too long", id: long, want: packet.RefusedIdentifierRejected},
		{name: "sessions full", lim: func(l *broker.Limits) { l.MaxSessions = 1 }, id: "second", want: packet.RefusedServerUnavailable},
		{name: "keep alive under minimum", lim: func(l *broker.Limits) { l.MinKeepAlive = 10 }, id: "c", opts: []connectOpt{withKeepAlive(5)}, want: packet.RefusedServerUnavailable},
		{name: "keep alive over maximum", lim: func(l *broker.Limits) { l.MaxKeepAlive = 60 }, id: "c", opts: []connectOpt{withKeepAlive(61)}, want: packet.RefusedServerUnavailable},
		{name: "no keep alive with a maximum", lim: func(l *broker.Limits) { l.MaxKeepAlive = 60 }, id: "c", want: packet.RefusedServerUnavailable},
		{name: "keep alive within bounds", lim: func(l *broker.Limits) { l.MinKeepAlive, l.MaxKeepAlive = 10, 60 }, id: "c", opts: []connectOpt{withKeepAlive(60)}, want: packet.Accepted},
		{name: "will payload too large", id: "c", opts: []connectOpt{withWill("w", strings.Repeat("p", 257), 0, false)}, want: packet.RefusedServerUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lim := smallLimits()
			if tt.lim != nil {
				tt.lim(&lim)
			}
			b := newBroker(t, broker.Config{Limits: lim, Users: tt.users})
			if tt.name == "sessions full" {
				mustConnect(t, b, "first", false)
			}
			c := dial(t, b)
			ack := c.connect(tt.id, tt.clean, tt.opts...)
			if ack.ReturnCode != tt.want {
				t.Fatalf("CONNACK %d, want %d", ack.ReturnCode, tt.want)
			}
			if ack.SessionPresent {
				t.Errorf("session present on a new session")
			}
			if tt.want != packet.Accepted {
				// MQTT-3.2.2-5: the server closes after a refusal.
				if err := c.expectClosed(); !errors.Is(err, broker.ErrRefused) {
					t.Errorf("ServeConn returned %v, want ErrRefused", err)
				}
				if st := b.Stats(); st.ConnectionsRefused != 1 {
					t.Errorf("ConnectionsRefused = %d, want 1", st.ConnectionsRefused)
				}
				return
			}
			c.ping()
		})
	}
}

func TestConnectProtocolLevel(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()})
	c := dial(t, b)
	c.send(packet.Connect{ProtocolLevel: 3, ClientID: []byte("old"), CleanSession: true})
	if ack := recvAs[*packet.Connack](c); ack.ReturnCode != packet.RefusedProtocolVersion {
		t.Fatalf("CONNACK %d, want 1", ack.ReturnCode)
	}
	if err := c.expectClosed(); !errors.Is(err, broker.ErrRefused) {
		t.Errorf("ServeConn returned %v", err)
	}
}

func TestFirstPacketMustBeConnect(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()})
	c := dial(t, b)
	c.send(packet.Pingreq{})
	if err := c.expectClosed(); !errors.Is(err, broker.ErrProtocol) {
		t.Errorf("ServeConn returned %v, want ErrProtocol", err)
	}
}

func TestSecondConnectCloses(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()})
	watcher := mustConnect(t, b, "watcher", true)
	watcher.subscribe("will", 0)
	c := mustConnect(t, b, "twice", true, withWill("will", "gone", 0, false))
	c.send(packet.Connect{ClientID: []byte("twice"), CleanSession: true})
	if err := c.expectClosed(); !errors.Is(err, broker.ErrProtocol) {
		t.Errorf("ServeConn returned %v, want ErrProtocol", err)
	}
	watcher.expectPublish("will", "gone")
}

func TestConnectTimeout(t *testing.T) {
	clock := brokertest.NewClock(time.Unix(0, 0))
	lim := smallLimits()
	lim.ConnectTimeout = 3 * time.Second
	b := newBroker(t, broker.Config{Limits: lim, Clock: clock})
	c := dial(t, b)
	waitFor(t, func() bool { return b.Stats().Connections == 1 })
	clock.Advance(2999 * time.Millisecond)
	if n := b.Stats().Connections; n != 1 {
		t.Fatalf("connection closed before the timeout")
	}
	clock.Advance(time.Millisecond)
	if err := c.expectClosed(); !errors.Is(err, broker.ErrConnectTimeout) {
		t.Errorf("ServeConn returned %v, want ErrConnectTimeout", err)
	}
}

func TestKeepAlive(t *testing.T) {
	clock := brokertest.NewClock(time.Unix(0, 0))
	b := newBroker(t, broker.Config{Limits: smallLimits(), Clock: clock})
	watcher := mustConnect(t, b, "watcher", true)
	watcher.subscribe("will/#", 0)
	c := mustConnect(t, b, "ka", true, withKeepAlive(10), withWill("will/ka", "expired", 0, false))

	// Packets within 1.5 × keep alive keep the connection open.
	clock.Advance(14 * time.Second)
	c.ping()
	clock.Advance(14 * time.Second)
	c.ping()
	// PINGRESP answers PINGREQ (MQTT-3.12.4-1); silence for 15 s ends it.
	clock.Advance(14999 * time.Millisecond)
	c.ping()
	clock.Advance(15 * time.Second)
	if err := c.expectClosed(); !errors.Is(err, broker.ErrKeepAliveTimeout) {
		t.Errorf("ServeConn returned %v, want ErrKeepAliveTimeout", err)
	}
	watcher.expectPublish("will/ka", "expired")
}

func TestZeroKeepAliveNeverExpires(t *testing.T) {
	clock := brokertest.NewClock(time.Unix(0, 0))
	b := newBroker(t, broker.Config{Limits: smallLimits(), Clock: clock})
	c := mustConnect(t, b, "forever", true)
	clock.Advance(24 * time.Hour)
	c.ping()
}

func TestTakeover(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()})
	watcher := mustConnect(t, b, "watcher", true)
	watcher.subscribe("will", 0)
	old := mustConnect(t, b, "same", false, withWill("will", "old", 0, false))
	old.subscribe("x", 1)

	c := dial(t, b)
	ack := c.connect("same", false)
	if ack.ReturnCode != packet.Accepted || !ack.SessionPresent {
		t.Fatalf("CONNACK %+v, want accepted with session present", ack)
	}
	if err := old.expectClosed(); !errors.Is(err, broker.ErrTakenOver) {
		t.Errorf("old ServeConn returned %v, want ErrTakenOver", err)
	}
	watcher.expectPublish("will", "old")
	// The subscription moved with the session.
	watcher.publish("x", "still here", 1, false)
	c.ack(c.expectPublish("x", "still here"))
	if st := b.Stats(); st.Sessions != 2 {
		t.Errorf("Sessions = %d, want 2", st.Sessions)
	}
}

func TestPersistentSession(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()})
	pub := mustConnect(t, b, "pub", true)
	c := mustConnect(t, b, "p", false)
	c.subscribe("q/#", 2)
	c.disconnect()

	pub.publish("q/1", "one", 1, false)
	pub.publish("q/0", "zero", 0, false) // not queued for an offline session
	pub.publish("q/2", "two", 2, false)

	c = dial(t, b)
	if ack := c.connect("p", false); !ack.SessionPresent {
		t.Fatalf("session present = false after reconnecting with clean session 0")
	}
	p := c.expectPublish("q/1", "one")
	if p.QoS != 1 || p.Dup {
		t.Errorf("queued QoS 1 delivery %+v", p)
	}
	c.ack(p)
	p = c.expectPublish("q/2", "two")
	if p.QoS != 2 || p.Dup {
		t.Errorf("queued QoS 2 delivery %+v", p)
	}
	c.ack(p)
	c.expectNothing()
	if st := b.Stats(); st.DroppedBy[broker.DropOffline] != 1 {
		t.Errorf("DroppedBy[offline] = %d, want 1", st.DroppedBy[broker.DropOffline])
	}
	c.disconnect()

	// Clean session 1 discards the session: no subscription, nothing queued.
	pub.publish("q/3", "three", 1, false)
	c = dial(t, b)
	if ack := c.connect("p", true); ack.SessionPresent {
		t.Fatalf("session present with clean session 1")
	}
	pub.publish("q/4", "four", 1, false)
	c.expectNothing()
	c.disconnect()
	// And a clean session leaves nothing behind.
	c = dial(t, b)
	if ack := c.connect("p", false); ack.SessionPresent {
		t.Fatalf("session present after a clean session ended")
	}
}

func TestTooManyConnections(t *testing.T) {
	lim := smallLimits()
	lim.MaxConnections = 1
	b := newBroker(t, broker.Config{Limits: lim})
	mustConnect(t, b, "only", true)
	c := dial(t, b)
	if err := c.expectClosed(); !errors.Is(err, broker.ErrTooManyConnections) {
		t.Errorf("ServeConn returned %v, want ErrTooManyConnections", err)
	}
}

// waitFor is an Eventually: it checks cond every millisecond, for state
// that no packet reports, and fails after the bound.
func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.After(wait)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("condition not met within %v", wait)
		}
	}
}

func TestTakeoverGrace(t *testing.T) {
	clock := brokertest.NewClock(time.Unix(0, 0))
	b := newBroker(t, broker.Config{Limits: smallLimits(), Clock: clock})
	watcher := mustConnect(t, b, "watcher", true)
	watcher.subscribe("will", 0)
	old := mustConnect(t, b, "c", false, withWill("will", "old", 0, false))
	old.subscribe("t", 1)
	watcher.publish("t", "m", 1, false)
	p := old.expectPublish("t", "m")

	// The client reconnects at once, having just acknowledged and
	// disconnected on the old connection: those packets still count.
	c := dial(t, b)
	c.send(packet.Connect{ClientID: []byte("c")})
	old.send(packet.Puback{PacketID: p.PacketID})
	old.send(packet.Disconnect{})
	if err := old.expectClosed(); err != nil {
		t.Fatalf("old connection ended with %v, want nil after DISCONNECT", err)
	}
	if ack := recvAs[*packet.Connack](c); !ack.SessionPresent {
		t.Fatal("session not present")
	}
	c.expectNothing() // no resend of the acknowledged message
	watcher.expectNothing()

	// A connection that does not end by itself is taken over after the
	// grace period.
	pending := clock.Pending()
	c2 := dial(t, b)
	c2.send(packet.Connect{ClientID: []byte("c")})
	// Its connect timeout and the grace period are running.
	waitFor(t, func() bool { return clock.Pending() == pending+2 })
	clock.Advance(100 * time.Millisecond)
	if ack := recvAs[*packet.Connack](c2); !ack.SessionPresent {
		t.Fatal("session not present")
	}
	if err := c.expectClosed(); !errors.Is(err, broker.ErrTakenOver) {
		t.Fatalf("ServeConn returned %v, want ErrTakenOver", err)
	}
}

// TestEndReasons checks what ServeConn says when it closes a connection:
// the reason to match with errors.Is and a message naming what happened.
func TestEndReasons(t *testing.T) {
	long := strings.Repeat("t", 65) // smallLimits allow 64
	tests := []struct {
		name      string
		connected bool // send CONNECT first
		send      packet.Packet
		reason    error
		msg       string
	}{
		{"first packet not CONNECT", false, packet.Pingreq{},
			broker.ErrProtocol, "broker: protocol violation: first packet is PINGREQ, not CONNECT"},
		{"second CONNECT", true, packet.Connect{ClientID: []byte("again"), CleanSession: true},
			broker.ErrProtocol, "broker: protocol violation: second CONNECT"},
		{"server packet", true, packet.Connack{},
			broker.ErrProtocol, "broker: protocol violation: a client may not send CONNACK"},
		{"long topic", true, packet.Publish{Topic: []byte(long), Payload: []byte("p")},
			broker.ErrLimit, "broker: packet beyond the broker's limits: PUBLISH topic of 65 bytes, payload of 1 bytes"},
		{"refused", false, packet.Connect{CleanSession: false},
			broker.ErrRefused, "broker: connection refused: CONNACK 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBroker(t, broker.Config{Limits: smallLimits()})
			var c *client
			if tt.connected {
				c = mustConnect(t, b, "c", true)
			} else {
				c = dial(t, b)
			}
			c.send(tt.send)
			if _, refused := tt.send.(packet.Connect); refused && !tt.connected {
				recvAs[*packet.Connack](c)
			}
			err := c.expectClosed()
			if !errors.Is(err, tt.reason) || err.Error() != tt.msg {
				t.Errorf("ServeConn returned %q, want %q matching %v", err, tt.msg, tt.reason)
			}
		})
	}
}

// TestDeadlinesOfManyConnections connects clients with keep alives of 1
// to 6 seconds, in shuffled order, and moves the clock half a second at a
// time: each is closed in the step its 1.5 × keep alive runs out, not
// before, which its will, published to a watcher, tells. All deadlines
// share one timer (see watchdog), so the order they were set in must not
// matter.
func TestDeadlinesOfManyConnections(t *testing.T) {
	clock := brokertest.NewClock(time.Unix(0, 0))
	b := newBroker(t, broker.Config{Limits: smallLimits(), Clock: clock})
	watcher := mustConnect(t, b, "watcher", true)
	watcher.subscribe("will/+", 0)
	clients := map[int]*client{}
	for _, ka := range []int{4, 1, 6, 3, 5, 2} {
		id := strconv.Itoa(ka)
		clients[ka] = mustConnect(t, b, "ka"+id, true, withKeepAlive(uint16(ka)), withWill("will/"+id, "gone", 0, false))
	}
	for step := 1; step <= 18; step++ {
		clock.Advance(500 * time.Millisecond)
		now := time.Duration(step) * 500 * time.Millisecond
		for ka := 1; ka <= 6; ka++ {
			// Due at 1.5 × ka, which a half-second step lands on.
			if due := time.Duration(ka) * 1500 * time.Millisecond; due == now {
				if err := clients[ka].expectClosed(); !errors.Is(err, broker.ErrKeepAliveTimeout) {
					t.Fatalf("at %v: keep alive %d s: ServeConn returned %v, want ErrKeepAliveTimeout", now, ka, err)
				}
				watcher.expectPublish("will/"+strconv.Itoa(ka), "gone")
			}
		}
		watcher.expectNothing() // no will of a connection not yet due
	}
}
