package broker

import (
	"strconv"
	"testing"
	"time"
)

// TestLoginFailuresTable checks the fixed table of failing sources: the
// delays it asks for, that it forgets, and that a new source takes the
// slot of the one whose last failure is the oldest.
func TestLoginFailuresTable(t *testing.T) {
	key := func(s string) uint64 { return sourceKey([]byte(s)) }
	l := make(loginFailures, loginSlots)
	sec := int64(time.Second)
	for i := range loginSlots {
		for range 4 {
			l.fail(key(strconv.Itoa(i)), int64(i+1)*sec)
		}
	}
	tests := []struct {
		name   string
		source string
		now    int64
		want   time.Duration
	}{
		{"after four failures", "0", loginSlots * sec, time.Second},
		{"unknown source", "x", loginSlots * sec, 0},
		{"forgotten", "5", 6*sec + int64(loginForget), 0},
		{"just not forgotten", "5", 6*sec + int64(loginForget) - 1, time.Second},
	}
	for _, tt := range tests {
		if got := l.delay(key(tt.source), tt.now); got != tt.want {
			t.Errorf("%s: delay %v, want %v", tt.name, got, tt.want)
		}
	}
	// A new source replaces the oldest, "0".
	l.fail(key("new"), 100*sec)
	if l.find(key("0"), 100*sec) >= 0 || l.find(key("1"), 100*sec) < 0 || l.find(key("new"), 100*sec) < 0 {
		t.Error("a new source did not replace the oldest")
	}
	// The delay doubles up to its cap.
	for range 20 {
		l.fail(key("1"), 101*sec)
	}
	if got := l.delay(key("1"), 101*sec); got != loginDelayMax {
		t.Errorf("delay %v after 24 failures, want %v", got, loginDelayMax)
	}
}
