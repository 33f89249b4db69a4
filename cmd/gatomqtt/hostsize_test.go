package main

import (
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

func TestGCPercent(t *testing.T) {
	for _, tc := range []struct{ state, want int }{
		{0, 100}, {40 << 20, 100}, {512 << 20, 50}, {7 << 30, 3}, {64 << 30, 2},
	} {
		if got := gcPercent(tc.state); got != tc.want {
			t.Errorf("gcPercent(%d) = %d, want %d", tc.state, got, tc.want)
		}
	}
}
