//go:build linux

package broker_test

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker"
)

// TestLargeBrokerCommitsNothingAtStart builds a broker of 20 000 host
// sessions three times, dropping each before the next: its tables reserve
// about 1.4 GB, yet New must leave resident only what it writes. A table
// taken from the Go heap is cleared when it lands on pages a dropped
// broker used, and the second broker then started with 1.2 GB resident.
func TestLargeBrokerCommitsNothingAtStart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds brokers of 1.4 GB of address space")
	}
	lim := broker.HostLimits
	lim.MaxSessions, lim.MaxMessages = 20_000, 5_000
	const most = 64 << 20
	for i := range 3 {
		runtime.GC()
		before := residentBytes(t)
		b, err := broker.New(broker.Config{Limits: lim})
		if err != nil {
			t.Fatal(err)
		}
		grew := residentBytes(t) - before
		state := b.Stats().StateBytes
		b.Close()
		t.Logf("broker %d: %d bytes of state, resident set grew by %d", i, state, grew)
		if grew > most {
			t.Fatalf("broker %d: resident set grew by %d bytes in New, want at most %d (state %d)", i, grew, most, state)
		}
	}
}

// residentBytes reads this process's resident set size.
func residentBytes(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b))
	pages, err := strconv.Atoi(f[1])
	if err != nil {
		t.Fatalf("statm %q: %v", b, err)
	}
	return pages * os.Getpagesize()
}
