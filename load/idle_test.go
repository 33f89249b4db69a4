package load

import (
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/peers"
)

// idleLimits are host limits that let the scenario's 64 concurrent
// set-ups from one address through (the host profile closes the oldest
// of more than 8 pending streams from one source), with connections to
// spare, so that the broker answers every surplus session with CONNACK 3
// rather than closing its stream.
func idleLimits(sessions int) broker.Limits {
	lim := broker.HostLimits
	lim.MaxSessions = sessions
	lim.MaxConnections = sessions + 128
	lim.MaxPendingPerSource = 128
	return lim
}

// checkIdleSessions checks what holds of every idle-sessions result: the
// outcomes add up, the memory figure is the growth per held session, and
// both routing runs delivered what they sent.
func checkIdleSessions(t *testing.T, r *IdleSessionsResult, sessions, baseline int, pid int) {
	t.Helper()
	checkReport(t, r, r.Routed.Config.Label)
	if r.Sessions != sessions {
		t.Fatalf("%d sessions, want %d", r.Sessions, sessions)
	}
	if n := r.Accepted + r.FilterRefused + r.Refused + r.Closed; n != sessions {
		t.Errorf("accepted %d + filter refused %d + refused %d + closed %d = %d, want %d",
			r.Accepted, r.FilterRefused, r.Refused, r.Closed, n, sessions)
	}
	if want := r.Accepted + r.FilterRefused - r.Released; r.RoutedHeld != want {
		t.Errorf("routing beside %d sessions, want the %d held less the %d released", r.RoutedHeld, r.Accepted+r.FilterRefused, r.Released)
	}
	if r.BaselineHeld > baseline {
		t.Errorf("baseline routing beside %d sessions, want at most %d", r.BaselineHeld, baseline)
	}
	if pid > 0 {
		if r.MemoryBefore == nil || r.MemoryAfter == nil || r.MemoryAfter.RSS == 0 {
			t.Fatalf("memory before %+v, after %+v: want both read", r.MemoryBefore, r.MemoryAfter)
		}
		want := (float64(r.MemoryAfter.RSS) - float64(r.MemoryBefore.RSS)) / float64(r.HeldAtMemory)
		if r.BytesPerSession != want {
			t.Errorf("%.0f bytes per session, want (%d - %d) / %d = %.0f", r.BytesPerSession, r.MemoryAfter.RSS, r.MemoryBefore.RSS, r.HeldAtMemory, want)
		}
	} else if r.MemoryAfter != nil {
		t.Errorf("memory read without a pid: %+v", r.MemoryAfter)
	}
	for _, res := range []*Result{r.Baseline, r.Routed} {
		checkResult(t, res)
		if res.Config.QoS == 1 && (res.Sent != uint64(res.Config.Count) || res.Lost != 0) {
			t.Errorf("sent %d of %d, lost %d at QoS 1", res.Sent, res.Config.Count, res.Lost)
		}
	}
	if want := r.Routed.Throughput / r.Baseline.Throughput; r.Ratio != want {
		t.Errorf("ratio %v, want %v", r.Ratio, want)
	}
}

func TestIdleSessionsInProcess(t *testing.T) {
	addr := startBroker(t, idleLimits(256))
	// The broker runs in the test's process: its memory is the test's.
	pid := os.Getpid()
	res, err := RunIdleSessions(testContext(t), IdleSessions{
		Config:   Config{Addr: addr, Label: "gatomqtt", QoS: 1, Count: 2000, PID: pid},
		Sessions: 50,
		Baseline: 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	checkIdleSessions(t, res, 50, 10, pid)
	if res.Accepted != 50 || res.Released != 0 || res.HeldAtMemory != 50 || res.BaselineHeld != 10 {
		t.Errorf("accepted %d, released %d, held %d at the memory reading and %d at the baseline; want 50, 0, 50, 10",
			res.Accepted, res.Released, res.HeldAtMemory, res.BaselineHeld)
	}
	if res.Routed.Config.Topic != "idle/50" || res.FileLimit == 0 {
		t.Errorf("routed to %q with a file limit of %d", res.Routed.Config.Topic, res.FileLimit)
	}
}

// A broker at its session limit refuses the surplus with CONNACK 3; the
// scenario counts them and still routes, beside two sessions fewer.
func TestIdleSessionsRefusedInProcess(t *testing.T) {
	const limit = 16
	addr := startBroker(t, idleLimits(limit))
	res, err := RunIdleSessions(testContext(t), IdleSessions{
		Config:   Config{Addr: addr, Label: "gatomqtt", QoS: 1, Count: 500},
		Sessions: 40,
		Baseline: 5,
	})
	if err != nil {
		t.Fatal(err)
	}
	checkIdleSessions(t, res, 40, 5, 0)
	// The baseline run's two clients may still hold their places when the
	// rest connect: the broker frees them once it reads their DISCONNECT.
	if res.Accepted > limit || res.Accepted < limit-2 || res.Refused != 40-res.Accepted || res.Closed != 0 {
		t.Errorf("accepted %d, refused %d, closed %d; want %d to %d accepted and the rest refused with CONNACK 3", res.Accepted, res.Refused, res.Closed, limit-2, limit)
	}
	if res.Released != 2 || res.RoutedHeld != res.Accepted-2 {
		t.Errorf("released %d, routed beside %d of %d accepted; want 2 released", res.Released, res.RoutedHeld, res.Accepted)
	}
}

func TestIdleSessionsAgainstMosquitto(t *testing.T) {
	t.Run("all held", func(t *testing.T) {
		m := peers.MosquittoFor(t, peers.MosquittoOptions{})
		res, err := RunIdleSessions(testContext(t), IdleSessions{
			Config:   Config{Addr: m.Addr, Label: "mosquitto", QoS: 1, Count: 2000, PID: m.PID()},
			Sessions: 50,
			Baseline: 10,
		})
		if err != nil {
			t.Fatal(err)
		}
		checkIdleSessions(t, res, 50, 10, m.PID())
		if res.Accepted != 50 || res.HeldAtMemory != 50 {
			t.Errorf("accepted %d, held %d at the memory reading; want 50", res.Accepted, res.HeldAtMemory)
		}
	})
	// mosquitto closes connections beyond max_connections without a
	// CONNACK: the scenario counts them as closed. Its count lags the
	// disconnections of the baseline run's clients, so a few more than
	// 20 may be held.
	t.Run("max_connections", func(t *testing.T) {
		m := peers.MosquittoFor(t, peers.MosquittoOptions{Config: []string{"max_connections 20"}})
		res, err := RunIdleSessions(testContext(t), IdleSessions{
			Config:   Config{Addr: m.Addr, Label: "mosquitto", QoS: 0, Count: 500},
			Sessions: 40,
			Baseline: 5,
		})
		if err != nil {
			t.Fatal(err)
		}
		checkIdleSessions(t, res, 40, 5, 0)
		if res.Accepted > 25 || res.Closed < 15 || res.Released != 2 {
			t.Errorf("accepted %d, closed %d, refused %d, released %d; want about 20 accepted, the rest closed, 2 released", res.Accepted, res.Closed, res.Refused, res.Released)
		}
	})
}

func TestRaiseFileLimit(t *testing.T) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Max < 64 {
		t.Skipf("hard open-file limit of %d", lim.Max)
	}
	// Lower the soft limit first, so that the raise has work to do.
	lowered := lim
	lowered.Cur = 64
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lowered); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim) })
	got, err := RaiseFileLimit()
	if err != nil {
		t.Fatal(err)
	}
	var now syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &now); err != nil {
		t.Fatal(err)
	}
	if got != lim.Max || now.Cur != lim.Max {
		t.Errorf("RaiseFileLimit() = %d, soft limit now %d; want the hard limit %d", got, now.Cur, lim.Max)
	}
}

func TestCheckFileLimit(t *testing.T) {
	tests := []struct {
		sessions int
		limit    uint64
		ok       bool
	}{
		{0, fileHeadroom, true},
		{100, 100 + fileHeadroom, true},
		{101, 100 + fileHeadroom, false},
		{100000, 20000, false},
		{100000, 1 << 20, true},
	}
	for _, tt := range tests {
		err := checkFileLimit(tt.sessions, tt.limit)
		if (err == nil) != tt.ok {
			t.Errorf("checkFileLimit(%d, %d) = %v, want ok %v", tt.sessions, tt.limit, err, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), fmt.Sprint(tt.limit)) {
			t.Errorf("error %q does not name the limit %d", err, tt.limit)
		}
	}
}

// A scenario beyond the open-file limit fails before it connects, saying so.
func TestIdleSessionsBeyondFileLimit(t *testing.T) {
	limit, err := RaiseFileLimit()
	if err != nil {
		t.Fatal(err)
	}
	if limit > 1<<24 {
		t.Skipf("open-file limit of %d", limit)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = RunIdleSessions(testContext(t), IdleSessions{
		Config:   Config{Addr: ln.Addr().String(), Count: 1},
		Sessions: int(limit),
	})
	if err == nil || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("RunIdleSessions with %d sessions: %v, want an error about the open-file limit", limit, err)
	}
	// Nothing connected: the listener has no connection waiting.
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(100 * time.Millisecond))
	if c, err := ln.Accept(); err == nil {
		c.Close()
		t.Error("the scenario connected before checking the limit")
	}
}

func TestSourceAddrs(t *testing.T) {
	tests := []struct {
		addr string
		n    int
		want []string
	}{
		{"127.0.0.1:1883", 100, nil},
		{"127.0.0.1:1883", sourcesPerAddr, nil},
		{"127.0.0.1:1883", sourcesPerAddr + 1, []string{"127.0.0.1:0", "127.0.0.2:0"}},
		{"127.0.0.1:1883", 100000, []string{"127.0.0.1:0", "127.0.0.2:0", "127.0.0.3:0", "127.0.0.4:0", "127.0.0.5:0", "127.0.0.6:0", "127.0.0.7:0"}},
		{"[::1]:1883", 100000, nil},
		{"192.0.2.1:1883", 100000, nil},
		{"broker:1883", 100000, nil},
	}
	for _, tt := range tests {
		var got []string
		for _, a := range sourceAddrs(tt.addr, tt.n) {
			got = append(got, a.String())
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("sourceAddrs(%q, %d) = %v, want %v", tt.addr, tt.n, got, tt.want)
		}
	}
}
