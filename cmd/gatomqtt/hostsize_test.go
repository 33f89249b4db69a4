package main

import (
	"runtime/debug"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker"
)

func TestSizeHost(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name     string
		avail    uint64
		given    map[string]bool
		sessions func(n int) bool
	}{
		{"unknown memory: the profile", 0, nil, func(n int) bool { return n == broker.HostLimits.MaxSessions }},
		{"little memory: at least the profile", 10 * mib, nil, func(n int) bool { return n == minHostSessions }},
		{"1 GiB", 1024 * mib, nil, func(n int) bool { return n > minHostSessions && n < maxHostSessions }},
		{"64 GiB: the cap", 64 * 1024 * mib, nil, func(n int) bool { return n == maxHostSessions }},
		{"store given", 1024 * mib, map[string]bool{"max-messages": true}, func(n int) bool { return n > minHostSessions }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := sizeHost(broker.HostLimits, tc.avail, tc.given)
			if !tc.sessions(l.MaxSessions) {
				t.Fatalf("MaxSessions %d", l.MaxSessions)
			}
			if tc.avail > memAvailable() {
				return // more than this machine has to build it with
			}
			b, err := broker.New(broker.Config{Limits: l})
			if err != nil {
				t.Fatalf("New with the sized limits: %v", err)
			}
			defer b.Close()
			state := b.Stats().StateBytes
			if tc.avail > 0 && l.MaxSessions > minHostSessions && uint64(state) > tc.avail/2+tc.avail/50 {
				t.Errorf("tables of %d sessions take %d bytes, more than half of %d", l.MaxSessions, state, tc.avail)
			}
			switch {
			case tc.given["max-messages"] && l.MaxMessages != broker.HostLimits.MaxMessages:
				t.Errorf("MaxMessages %d, want the given %d", l.MaxMessages, broker.HostLimits.MaxMessages)
			case !tc.given["max-messages"] && l.MaxMessages < l.MaxSessions/4:
				t.Errorf("MaxMessages %d for %d sessions", l.MaxMessages, l.MaxSessions)
			}
			t.Logf("%d sessions, %d messages: %d MB of tables", l.MaxSessions, l.MaxMessages, state>>20)
		})
	}
}

// TestGCPercent: the daemon collects at a quarter of its live heap, unless
// GOGC says otherwise.
func TestGCPercent(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	for _, tc := range []struct {
		env  string
		want int
	}{{"", hostGCPercent}, {"80", 100}} {
		t.Setenv("GOGC", tc.env)
		debug.SetGCPercent(100)
		setGCPercent()
		if got := debug.SetGCPercent(100); got != tc.want {
			t.Errorf("GOGC=%q: GC percent %d, want %d", tc.env, got, tc.want)
		}
	}
}
