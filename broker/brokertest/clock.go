// Package brokertest holds helpers for testing code built on package
// broker: a fake Clock whose time moves only when a test says so.
//
// Limits: the fake clock runs due functions synchronously inside Advance,
// in the order they are due; it is meant for tests, not for production.
package brokertest

import (
	"sync"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
)

// A Clock is a broker.Clock that stands still until Advance is called.
// The zero value is not usable; call NewClock.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*timer
}

// NewClock returns a Clock reading start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now reports the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc arranges for f to run when the clock has been advanced by d.
// f runs synchronously, in the goroutine that calls Advance, with Now
// reading its due time, which broker.Clock allows; a blocking f blocks
// Advance.
func (c *Clock) AfterFunc(d time.Duration, f func()) broker.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &timer{c: c, f: f, when: c.now.Add(d), armed: true}
	c.timers = append(c.timers, t)
	return t
}

// Pending reports how many calls are waiting for the clock.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if t.armed {
			n++
		}
	}
	return n
}

// Advance moves the clock forward by d, running every function that falls
// due on the way at its due time, earliest first.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	for {
		var next *timer
		for _, t := range c.timers {
			if t.armed && !t.when.After(end) && (next == nil || t.when.Before(next.when)) {
				next = t
			}
		}
		if next == nil {
			break
		}
		next.armed = false
		if next.when.After(c.now) {
			c.now = next.when
		}
		c.mu.Unlock()
		next.f()
		c.mu.Lock()
	}
	c.now = end
	kept := c.timers[:0]
	for _, t := range c.timers {
		if t.armed {
			kept = append(kept, t)
		}
	}
	c.timers = kept
	c.mu.Unlock()
}

type timer struct {
	c     *Clock
	f     func()
	when  time.Time
	armed bool
}

func (t *timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := t.armed
	t.armed = false
	return was
}

func (t *timer) Reset(d time.Duration) bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := t.armed
	t.when = t.c.now.Add(d)
	if !t.armed {
		t.armed = true
		found := false
		for _, o := range t.c.timers {
			if o == t {
				found = true
				break
			}
		}
		if !found {
			t.c.timers = append(t.c.timers, t)
		}
	}
	return was
}
