package brokertest_test

import (
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/brokertest"
)

func TestClock(t *testing.T) {
	start := time.Unix(1000, 0)
	c := brokertest.NewClock(start)
	var fired []string
	var at []time.Time
	record := func(name string) func() {
		return func() { fired = append(fired, name); at = append(at, c.Now()) }
	}
	c.AfterFunc(3*time.Second, record("3s"))
	c.AfterFunc(1*time.Second, record("1s"))
	stopped := c.AfterFunc(2*time.Second, record("stopped"))
	reset := c.AfterFunc(time.Second, record("reset"))
	if !stopped.Stop() {
		t.Error("Stop of a pending call reported false")
	}
	reset.Reset(5 * time.Second)
	if n := c.Pending(); n != 3 {
		t.Fatalf("Pending = %d, want 3", n)
	}

	c.Advance(999 * time.Millisecond)
	if len(fired) != 0 {
		t.Fatalf("fired early: %v", fired)
	}
	c.Advance(4 * time.Second) // to 4.999 s
	if want := []string{"1s", "3s"}; len(fired) != 2 || fired[0] != want[0] || fired[1] != want[1] {
		t.Fatalf("fired %v, want %v", fired, want)
	}
	if !at[0].Equal(start.Add(time.Second)) || !at[1].Equal(start.Add(3*time.Second)) {
		t.Errorf("ran at %v, want at their due times", at)
	}
	if got := c.Now(); !got.Equal(start.Add(4999 * time.Millisecond)) {
		t.Errorf("Now = %v", got)
	}
	c.Advance(time.Millisecond)
	if len(fired) != 3 || fired[2] != "reset" {
		t.Fatalf("fired %v, want the reset call at 5 s", fired)
	}
	if c.Pending() != 0 {
		t.Errorf("Pending = %d after everything fired", c.Pending())
	}
	// A fired timer can be armed again.
	reset.Reset(time.Second)
	c.Advance(time.Second)
	if len(fired) != 4 {
		t.Errorf("re-armed timer did not fire: %v", fired)
	}
}
