package broker_test

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/brokertest"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// TestConnectThenGarbage sends a valid CONNECT and, in the same write,
// something the broker must refuse: the CONNACK of the accepted CONNECT
// reaches the client before the connection closes, as with mosquitto.
func TestConnectThenGarbage(t *testing.T) {
	connect := mustAppend(packet.Connect{ClientID: []byte("g"), CleanSession: true})
	tests := []struct {
		name    string
		garbage []byte
		reason  error
	}{
		{"reserved packet type", []byte{0xf0, 0}, broker.ErrProtocol},
		{"bad remaining length", []byte{0x30, 0xff, 0xff, 0xff, 0xff}, broker.ErrProtocol},
		{"second CONNECT", connect, broker.ErrProtocol},
		{"server packet", mustAppend(packet.Connack{}), broker.ErrProtocol},
		{"too large", []byte{0x30, 0xff, 0x7f}, broker.ErrLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBroker(t, broker.Config{Limits: smallLimits()})
			c := dial(t, b)
			c.sendRaw(append(append([]byte(nil), connect...), tt.garbage...))
			if ack := recvAs[*packet.Connack](c); ack.ReturnCode != packet.Accepted {
				t.Fatalf("CONNACK %d, want 0", ack.ReturnCode)
			}
			if err := c.expectClosed(); !errors.Is(err, tt.reason) {
				t.Errorf("ServeConn returned %v, want %v", err, tt.reason)
			}
		})
	}
}

// TestConnectThenGarbageUnread checks that a client that does not read
// the answers left for it holds its connection for one second of the
// broker's clock at most.
func TestConnectThenGarbageUnread(t *testing.T) {
	clock := brokertest.NewClock(time.Unix(0, 0))
	b := newBroker(t, broker.Config{Limits: smallLimits(), Clock: clock})
	srv, cli := net.Pipe()
	defer cli.Close()
	served := make(chan error, 1)
	go func() { served <- b.ServeConn(srv) }()
	cli.SetWriteDeadline(time.Now().Add(wait))
	if _, err := cli.Write(mustAppend(packet.Connect{ClientID: []byte("g"), CleanSession: true}, packet.Connack{})); err != nil {
		t.Fatal(err)
	}
	// The flush timer runs from when the reader meets the garbage, which
	// the test cannot see: move the clock on until ServeConn returns.
	// Only the flush timer can end it (no keep alive, CONNECT received).
	for i := 0; ; i++ {
		clock.Advance(time.Second)
		select {
		case err := <-served:
			if !errors.Is(err, broker.ErrProtocol) {
				t.Errorf("ServeConn returned %v, want ErrProtocol", err)
			}
			return
		case <-time.After(10 * time.Millisecond):
		}
		if i == int(wait/(10*time.Millisecond)) {
			t.Fatal("ServeConn did not return though the client reads nothing")
		}
	}
}

// dialFrom is dial for a stream from source (ServeConnFrom).
func dialFrom(t testing.TB, b *broker.Broker, source string) *client {
	t.Helper()
	srv, cli := net.Pipe()
	c := &client{t: t, conn: cli, in: make(chan packet.Packet, 4096), readErr: make(chan error, 1), served: make(chan error, 1)}
	go func() { c.served <- b.ServeConnFrom(srv, source) }()
	go c.readLoop()
	t.Cleanup(func() { cli.Close() })
	return c
}

// halfConnect is the start of a CONNECT, as a client that stalls or a
// flood of them sends it.
var halfConnect = []byte{0x10, 0x0f, 0x00, 0x04, 0x4d}

// TestPendingCannotStarve fills connection slots with streams that send
// half a CONNECT and then nothing; a new client still connects, at once,
// because the oldest pending streams are closed to make room for it. The
// clock moves only by each case's age and the connect timeout is an hour,
// so nothing but that can let it in. A source's bound spares streams
// younger than a second.
func TestPendingCannotStarve(t *testing.T) {
	tests := []struct {
		name      string
		lim       func(*broker.Limits)
		connected int           // clients connected first
		half      []string      // sources of the half-CONNECT streams, in order
		source    string        // of the new client
		age       time.Duration // of the half-CONNECT streams when the new client comes
		evicted   []int         // which half-CONNECT streams are closed
	}{
		{"every slot pending", func(l *broker.Limits) { l.MaxConnections, l.MaxPending = 4, 4 },
			0, []string{"", "", "", ""}, "", 0, []int{0}},
		{"default budget, half the slots", func(l *broker.Limits) { l.MaxConnections = 4 },
			0, []string{"", "", "", ""}, "", 0, []int{0, 1, 2}},
		{"no free slot, one pending", func(l *broker.Limits) { l.MaxConnections, l.MaxPending = 3, 3 },
			2, []string{""}, "", 0, []int{0}},
		{"per source", func(l *broker.Limits) { l.MaxConnections, l.MaxPending, l.MaxPendingPerSource = 6, 5, 2 },
			0, []string{"192.0.2.1", "192.0.2.1", "192.0.2.2"}, "192.0.2.1", time.Second, []int{0}},
		{"per source, younger than a second", func(l *broker.Limits) { l.MaxConnections, l.MaxPending, l.MaxPendingPerSource = 6, 5, 2 },
			0, []string{"192.0.2.1", "192.0.2.1", "192.0.2.2"}, "192.0.2.1", time.Second - time.Millisecond, nil},
		{"per source, young, budget full", func(l *broker.Limits) { l.MaxConnections, l.MaxPending, l.MaxPendingPerSource = 6, 3, 2 },
			0, []string{"192.0.2.1", "192.0.2.1", "192.0.2.2"}, "192.0.2.1", 0, []int{0}},
		{"per source, other source", func(l *broker.Limits) { l.MaxConnections, l.MaxPending, l.MaxPendingPerSource = 6, 5, 2 },
			0, []string{"192.0.2.1", "192.0.2.1", "192.0.2.2"}, "192.0.2.2", time.Second, nil},
		{"unknown sources are not one source", func(l *broker.Limits) { l.MaxConnections, l.MaxPending, l.MaxPendingPerSource = 6, 5, 1 },
			0, []string{"", ""}, "", time.Second, nil},
		{"long sources are cut", func(l *broker.Limits) { l.MaxConnections, l.MaxPending, l.MaxPendingPerSource = 6, 5, 1 },
			0, []string{strings.Repeat("a", 64) + "1"}, strings.Repeat("a", 64) + "2", time.Second, []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := brokertest.NewClock(time.Unix(0, 0))
			lim := smallLimits()
			lim.ConnectTimeout = time.Hour
			tt.lim(&lim)
			b := newBroker(t, broker.Config{Limits: lim, Clock: clock})
			for i := range tt.connected {
				mustConnect(t, b, "c"+strconv.Itoa(i), true)
			}
			var half []*client
			for _, src := range tt.half {
				c := dialFrom(t, b, src)
				// net.Pipe: the write returns once the broker has read it.
				c.sendRaw(halfConnect)
				half = append(half, c)
			}
			clock.Advance(tt.age)
			c := dialFrom(t, b, tt.source)
			if ack := c.connect("new", true); ack.ReturnCode != packet.Accepted {
				t.Fatalf("CONNACK %d, want 0", ack.ReturnCode)
			}
			for _, i := range tt.evicted {
				if err := half[i].expectClosed(); !errors.Is(err, broker.ErrPendingEvicted) {
					t.Errorf("half-CONNECT stream %d: ServeConn returned %v, want ErrPendingEvicted", i, err)
				}
			}
			st := b.Stats()
			if want := tt.connected + 1 + len(tt.half) - len(tt.evicted); st.Connections != want {
				t.Errorf("%d connections, want %d", st.Connections, want)
			}
			if st.PendingEvicted != uint64(len(tt.evicted)) {
				t.Errorf("PendingEvicted %d, want %d", st.PendingEvicted, len(tt.evicted))
			}
		})
	}
}

// TestPendingLimits checks the defaults and bounds of MaxPending and
// MaxPendingPerSource.
func TestPendingLimits(t *testing.T) {
	tests := []struct {
		name                 string
		conns, pending, per  int
		wantPending, wantPer int // 0: New refuses the limits
	}{
		{"connections beyond sessions", 20, 0, 0, 12, 8},
		{"at least half the connections", 10, 0, 0, 5, 5},
		{"one connection", 1, 0, 0, 1, 1},
		{"given", 10, 3, 2, 3, 2},
		{"per source above the budget", 10, 3, 9, 3, 9},
		{"budget beyond the connections", 10, 11, 0, 0, 0},
		{"negative budget", 10, -1, 0, 0, 0},
		{"negative per source", 10, 0, -1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lim := smallLimits() // 8 sessions
			lim.MaxConnections, lim.MaxPending, lim.MaxPendingPerSource = tt.conns, tt.pending, tt.per
			b, err := broker.New(broker.Config{Limits: lim})
			if tt.wantPending == 0 {
				if !errors.Is(err, broker.ErrLimits) {
					t.Fatalf("New returned %v, want ErrLimits", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			if got := b.Limits(); got.MaxPending != tt.wantPending || got.MaxPendingPerSource != tt.wantPer {
				t.Errorf("MaxPending %d, MaxPendingPerSource %d; want %d and %d", got.MaxPending, got.MaxPendingPerSource, tt.wantPending, tt.wantPer)
			}
		})
	}
}

// TestLoginThrottle makes bad logins from one source in a row: after the
// first three, each is answered only once the broker's clock has moved on
// by the throttle's delay, and so is a good login from that source, while
// a good login from another source is answered at once. Failed logins are
// logged as a notice, with their source and user name.
func TestLoginThrottle(t *testing.T) {
	clock := brokertest.NewClock(time.Unix(0, 0))
	lim := smallLimits()
	lim.ConnectTimeout = time.Hour
	var mu sync.Mutex
	var lines []string
	logf := func(format string, args ...any) {
		mu.Lock()
		lines = append(lines, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	b := newBroker(t, broker.Config{Limits: lim, Clock: clock, Logf: logf, Users: []broker.User{{"u", "right"}}})
	const guesser, other = "192.0.2.66", "198.51.100.1"

	var delayed uint64
	login := func(source, password string, want packet.ConnackCode, delay time.Duration) {
		t.Helper()
		c := dialFrom(t, b, source)
		c.send(packet.Connect{ClientID: []byte("c"), CleanSession: true, UsernameFlag: true, Username: []byte("u"),
			PasswordFlag: true, Password: []byte(password)})
		if delay > 0 {
			delayed++
			waitFor(t, func() bool { return b.Stats().LoginsDelayed == delayed })
			// The clock runs due timers inside Advance: the reader is
			// still waiting once it returns.
			clock.Advance(delay - time.Millisecond)
			select {
			case p := <-c.in:
				t.Fatalf("got %T %+v before the delay of %v", p, p, delay)
			default:
			}
			clock.Advance(time.Millisecond)
		}
		if ack := recvAs[*packet.Connack](c); ack.ReturnCode != want {
			t.Fatalf("CONNACK %d, want %d", ack.ReturnCode, want)
		}
		if want != packet.Accepted {
			c.expectClosed()
		} else {
			c.disconnect()
		}
	}
	steps := []struct {
		source, password string
		want             packet.ConnackCode
		delay            time.Duration
	}{
		{guesser, "a", packet.RefusedBadUsernamePassword, 0},
		{guesser, "b", packet.RefusedBadUsernamePassword, 0},
		{guesser, "c", packet.RefusedBadUsernamePassword, 0},
		{guesser, "d", packet.RefusedBadUsernamePassword, 500 * time.Millisecond},
		{other, "right", packet.Accepted, 0},
		{guesser, "e", packet.RefusedBadUsernamePassword, time.Second},
		{guesser, "f", packet.RefusedBadUsernamePassword, 2 * time.Second},
		{guesser, "right", packet.Accepted, 4 * time.Second},
		{other, "g", packet.RefusedBadUsernamePassword, 0},
		{guesser, "h", packet.RefusedBadUsernamePassword, 4 * time.Second},
	}
	for i, s := range steps {
		t.Logf("step %d: from %s, %q", i, s.source, s.password)
		login(s.source, s.password, s.want, s.delay)
	}
	if st := b.Stats(); st.LoginsFailed != 8 || st.LoginsDelayed != delayed {
		t.Errorf("LoginsFailed %d, LoginsDelayed %d; want 8 and %d", st.LoginsFailed, st.LoginsDelayed, delayed)
	}

	// After ten minutes without a failure, the source is forgotten.
	clock.Advance(10 * time.Minute)
	login(guesser, "right", packet.Accepted, 0)
	login(guesser, "i", packet.RefusedBadUsernamePassword, 0)

	mu.Lock()
	defer mu.Unlock()
	var notices []string
	for _, l := range lines {
		if strings.Contains(l, "failed login") {
			notices = append(notices, l)
		}
	}
	want := []string{
		`broker: failed login from 192.0.2.66 as "u" (CONNACK 4)`,
		`broker: failed login from 192.0.2.66 as "u" (CONNACK 4) (and 7 more since the last report)`,
	}
	if !slices.Equal(notices, want) {
		t.Errorf("notices:\n%s\nwant:\n%s", strings.Join(notices, "\n"), strings.Join(want, "\n"))
	}
}
