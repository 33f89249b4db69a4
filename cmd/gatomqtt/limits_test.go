package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// TestLimitFlagsRaisedFar: every limit flag raised far beyond its
// profile's value still starts the daemon. Raising a size used to fail
// with "invalid limits: OutboxBytes = 16384", a limit no flag set.
func TestLimitFlagsRaisedFar(t *testing.T) {
	tests := [][]string{
		// The two commands of the report, on the host profile.
		{"-max-payload", "16200"},
		{"-max-packet", "66000"},
		{"-max-topic", "65535"},
		{"-max-payload", "16200", "-max-packet", "66000", "-max-topic", "20000"},
	}
	// Every limit flag on the Pico profile, where tables stay small
	// however far one is raised.
	for _, f := range limitFlags(nil) {
		v := "100000"
		switch f.name {
		case "max-inflight":
			v = "65535"
		case "max-topic":
			v = "65535"
		case "max-packet":
			v = "1000000"
		case "max-payload":
			v = "1000000"
		case "max-sessions", "max-connections", "max-subscriptions", "max-queued":
			v = "2000"
		case "outbox":
			v = "1000000"
		case "max-topic-levels", "subscription-nodes":
			v = "1000"
		case "max-pending", "max-pending-per-source":
			v = "6" // at most -max-connections, 6 on the Pico
		}
		tests = append(tests, []string{"-profile", "pico", "-" + f.name, v})
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			start(t, args...)
		})
	}
}

// TestOutboxFlag: -outbox sets OutboxBytes, and a size flag raises the
// profile's outbox only as far as needed, never lowers it.
func TestOutboxFlag(t *testing.T) {
	tests := []struct {
		args []string
		want int
	}{
		{[]string{}, 16 << 10},
		{[]string{"-max-topic", "10"}, 16 << 10},
		{[]string{"-max-payload", "16200"}, 4 + 2 + 256 + 2 + 16200},
		{[]string{"-max-payload", "16200", "-outbox", "40000"}, 40000},
		{[]string{"-profile", "pico", "-max-packet", "100000"}, packet.HeaderSize(2+24998) + 2 + 24998},
	}
	for _, tt := range tests {
		o, err := parseFlags(tt.args, nil)
		if err != nil {
			t.Fatalf("%q: %v", tt.args, err)
		}
		if o.limits.OutboxBytes != tt.want {
			t.Errorf("%q: OutboxBytes %d, want %d", tt.args, o.limits.OutboxBytes, tt.want)
		}
	}
}

// TestSessionFlags: the offline-session policy flags reach the limits, and
// leave the profile's values alone when not given.
func TestSessionFlags(t *testing.T) {
	tests := []struct {
		args   []string
		expiry time.Duration
		evict  bool
	}{
		{nil, 0, true},
		{[]string{"-session-expiry", "1h"}, time.Hour, true},
		{[]string{"-evict-offline=false"}, 0, false},
		{[]string{"-profile", "pico", "-session-expiry", "90s", "-evict-offline=false"}, 90 * time.Second, false},
	}
	for _, tt := range tests {
		o, err := parseFlags(tt.args, io.Discard)
		if err != nil {
			t.Fatalf("%q: %v", tt.args, err)
		}
		if o.limits.SessionExpiry != tt.expiry || o.limits.EvictOfflineSessions != tt.evict {
			t.Errorf("%q: expiry %v, evict %v; want %v, %v", tt.args, o.limits.SessionExpiry, o.limits.EvictOfflineSessions, tt.expiry, tt.evict)
		}
	}
	if _, err := parseFlags([]string{"-session-expiry", "-1s"}, io.Discard); err == nil {
		t.Error("a negative -session-expiry was accepted")
	}
}
