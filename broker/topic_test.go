package broker_test

import (
	"strings"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker"
)

func TestMatchTopic(t *testing.T) {
	tests := []struct {
		filter, topic string
		want          bool
	}{
		{"a/b", "a/b", true},
		{"a/b", "a/c", false},
		{"a/b", "a/b/c", false},
		{"a/b/c", "a/b", false},
		{"a/b", "a/bc", false},
		{"a/bc", "a/b", false},
		// '#' matches the parent level and everything below (4.7.1.2).
		{"sport/tennis/player1/#", "sport/tennis/player1", true},
		{"sport/tennis/player1/#", "sport/tennis/player1/ranking", true},
		{"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true},
		{"sport/#", "sport", true},
		{"sport/#", "sports", false},
		{"sport/#", "sport/", true},
		{"#", "a", true},
		{"#", "/", true},
		{"#", "a/b/c", true},
		// '+' matches exactly one level, possibly empty (4.7.1.3).
		{"sport/tennis/+", "sport/tennis/player1", true},
		{"sport/tennis/+", "sport/tennis/player2", true},
		{"sport/tennis/+", "sport/tennis/player1/ranking", false},
		{"sport/+", "sport", false},
		{"sport/+", "sport/", true},
		{"+", "a", true},
		{"+", "/finance", false},
		{"+/+", "/finance", true},
		{"/+", "/finance", true},
		{"+/tennis/#", "sport/tennis", true},
		{"+/tennis/#", "sport/tennis/x/y", true},
		{"+/+/+", "a/b", false},
		{"a/+/c", "a//c", true},
		{"+", "", true},
		{"a/#", "a/b/c", true},
		{"a/+/#", "a/b", true},
		{"a/+/#", "a", false},
		// Topics starting with '$' (4.7.2).
		{"#", "$SYS/broker", false},
		{"+/monitor/Clients", "$SYS/monitor/Clients", false},
		{"$SYS/#", "$SYS/monitor/Clients", true},
		{"$SYS/monitor/+", "$SYS/monitor/Clients", true},
		{"$SYS", "$SYS", true},
		{"a/#", "a/$b", true},
		{"+/$b", "a/$b", true},
		// Case and characters matter byte for byte.
		{"ACCOUNTS", "Accounts", false},
		{"a b/c", "a b/c", true},
		{"ü/+", "ü/x", true},
	}
	for _, tt := range tests {
		if got := broker.MatchTopic(tt.filter, tt.topic); got != tt.want {
			t.Errorf("MatchTopic(%q, %q) = %v, want %v", tt.filter, tt.topic, got, tt.want)
		}
	}
}

func TestMatchTopicDoesNotAllocate(t *testing.T) {
	// Built at run time and longer than 32 bytes, so that a conversion
	// to bytes could not be kept on the stack.
	room := strings.Repeat("building/floor/room/", 3)
	filter, topic := room+"+/celsius", room+"temperature/celsius"
	var ok bool
	allocs := testing.AllocsPerRun(100, func() { ok = broker.MatchTopic(filter, topic) })
	if !ok || allocs != 0 {
		t.Errorf("MatchTopic = %v with %v allocations, want true with 0", ok, allocs)
	}
}
