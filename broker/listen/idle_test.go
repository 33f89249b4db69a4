package listen_test

import (
	"context"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/listen"
	"github.com/gatomqtt/gatomqtt/broker/listen/listentest"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// serving serves b with ServeModel in model m on a listener of its own
// until the test ends, and returns its address.
func serving(t *testing.T, b *broker.Broker, m listen.Model) string {
	t.Helper()
	ln := listentest.Loopback(t)
	listentest.Serve(t, b, func(ctx context.Context, ln net.Listener, b *broker.Broker) error {
		return listen.ServeModel(ctx, ln, b, m)
	}, ln)
	return ln.Addr().String()
}

// connect dials addr and has CONNECT with keepAlive answered.
func connect(t *testing.T, addr, id string, keepAlive uint16) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	buf, _ := packet.Connect{ClientID: []byte(id), CleanSession: true, KeepAlive: keepAlive}.Append(nil)
	if _, err := c.Write(buf); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	ack := make([]byte, 4)
	if _, err := io.ReadFull(c, ack); err != nil || ack[0] != 0x20 || ack[3] != 0 {
		t.Fatalf("CONNACK %x, %v", ack, err)
	}
	return c
}

// stacks counts the goroutines whose stack holds each of the given
// function names.
func stacks(names ...string) []int {
	buf := make([]byte, 4<<20)
	buf = buf[:runtime.Stack(buf, true)]
	counts := make([]int, len(names))
	for _, g := range strings.Split(string(buf), "\n\n") {
		for i, name := range names {
			if strings.Contains(g, name) {
				counts[i]++
			}
		}
	}
	return counts
}

// TestIdleConnectionsHoldNoGoroutine serves 40 silent clients in each
// model and counts what waits for them: with Epoll nothing per
// connection, with RuntimePoller a goroutine parked in the poller each,
// with Goroutines a reader blocked in Read each, holding its read buffer
// and decoder. No idle connection holds an outbox.
func TestIdleConnectionsHoldNoGoroutine(t *testing.T) {
	const n = 40
	for _, tc := range []struct {
		m                listen.Model
		readers, pollers int // goroutines, and read buffers lent
	}{
		{listen.Epoll, 0, 0},
		{listen.RuntimePoller, 0, n},
		{listen.Goroutines, n, 0},
	} {
		t.Run(tc.m.String(), func(t *testing.T) {
			lim := broker.HostLimits
			lim.MaxSessions = 64
			b, err := broker.New(broker.Config{Limits: lim})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			addr := serving(t, b, tc.m)
			for i := range n {
				connect(t, addr, "idle"+string(rune('a'+i%26))+string(rune('a'+i/26)), 60)
			}
			deadline := time.Now().Add(5 * time.Second)
			for {
				got := stacks("broker.(*conn).readPackets", "listen.(*stream).pollLoop", "broker.(*conn).writeOut")
				st := b.Stats()
				if got[0] == tc.readers && got[1] == tc.pollers && got[2] == 0 && st.ReadersLent == tc.readers && st.OutboxesLent == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("readers %d, pollers %d, writers %d, read buffers lent %d, outboxes lent %d for %d idle connections; want %d, %d, 0, %d, 0",
						got[0], got[1], got[2], st.ReadersLent, st.OutboxesLent, n, tc.readers, tc.pollers, tc.readers)
				}
				runtime.Gosched()
			}
		})
	}
}

// TestKeepAliveClosesParkedConnection: a connection whose reader is parked
// is still closed when its keep alive runs out, in every model.
func TestKeepAliveClosesParkedConnection(t *testing.T) {
	for _, m := range models {
		t.Run(m.String(), func(t *testing.T) {
			b, err := broker.New(broker.Config{Limits: broker.PicoLimits})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			c := connect(t, serving(t, b, m), "ka", 1)
			start := time.Now()
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			if n, err := c.Read(make([]byte, 1)); err != io.EOF {
				t.Fatalf("read %d, %v; want EOF when the keep alive runs out", n, err)
			}
			if d := time.Since(start); d < time.Second {
				t.Errorf("closed after %s, before the keep alive of 1 s", d)
			}
		})
	}
}
