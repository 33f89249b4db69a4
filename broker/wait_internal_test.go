package broker

import (
	"sync"
	"testing"
	"time"
)

// A heldClock is a Clock whose timers fire only when the test says, and
// whose callbacks the test runs when it likes: fire returns the callback
// of a timer that has fired but has not run yet, as a real timer whose
// callback is still waiting for the broker's lock.
type heldClock struct {
	mu    sync.Mutex
	now   time.Time
	timer *heldTimer     // the one timer these tests use
	armed chan time.Time // receives the due time whenever the timer is armed
}

type heldTimer struct {
	c       *heldClock
	f       func()
	when    time.Time
	pending bool
}

func newHeldClock() *heldClock {
	return &heldClock{now: time.Unix(0, 0), armed: make(chan time.Time, 16)}
}

func (c *heldClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *heldClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timer != nil {
		panic("heldClock: a second timer")
	}
	c.timer = &heldTimer{c: c, f: f}
	c.timer.arm(d)
	return c.timer
}

// arm is called with c.mu held.
func (t *heldTimer) arm(d time.Duration) {
	t.when, t.pending = t.c.now.Add(d), true
	t.c.armed <- t.when
}

func (t *heldTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := t.pending
	t.pending = false
	return was
}

func (t *heldTimer) Reset(d time.Duration) bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := t.pending
	t.arm(d)
	return was
}

// fire moves the clock to the timer's due time and marks it fired; the
// caller runs the returned callback.
func (c *heldClock) fire(t *testing.T) func() {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timer == nil || !c.timer.pending {
		t.Fatal("fire: no pending timer")
	}
	c.timer.pending = false
	c.now = c.timer.when
	return c.timer.f
}

// awaitArmed waits for the timer to be armed.
func (c *heldClock) awaitArmed(t *testing.T) {
	t.Helper()
	select {
	case <-c.armed:
	case <-time.After(5 * time.Second):
		t.Fatal("the wait armed no timer")
	}
}

func awaitDone(t *testing.T, done <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s did not end", what)
	}
}

// staleTimerCheck runs a wait of connection c twice. The first wait ends
// by its condition (release) at the moment its timer fires, so that the
// timer's callback is still to run; it runs once the second wait has
// started, and must not end that wait: only the second wait's own timer
// may.
func staleTimerCheck(t *testing.T, b *Broker, clk *heldClock, hold, release func(), wait func()) {
	t.Helper()
	run := func() <-chan struct{} {
		done := make(chan struct{})
		go func() {
			b.mu.Lock()
			wait()
			b.mu.Unlock()
			close(done)
		}()
		return done
	}

	b.mu.Lock()
	hold()
	b.mu.Unlock()
	first := run()
	clk.awaitArmed(t)
	b.mu.Lock()
	stale := clk.fire(t)
	release()
	b.drainedCond.Broadcast()
	b.mu.Unlock()
	awaitDone(t, first, "the first wait")

	b.mu.Lock()
	hold()
	b.mu.Unlock()
	second := run()
	clk.awaitArmed(t)
	stale()
	// Consistently, for a bounded time: the stale callback has woken the
	// waiter, which must go back to waiting.
	select {
	case <-second:
		t.Fatal("the first wait's timer ended the second wait")
	case <-time.After(200 * time.Millisecond):
	}
	clk.fire(t)()
	awaitDone(t, second, "the second wait, at its own deadline,")
}

func newHeldBroker(t *testing.T) (*Broker, *heldClock) {
	t.Helper()
	clk := newHeldClock()
	b, err := New(Config{Limits: Limits{
		MaxSessions: 4, MaxSubscriptions: 2, MaxInflight: 2, MaxQueued: 8,
		MaxTopicLength: 16, MaxPayloadSize: 16, MaxPacketSize: 64, MaxClientIDLength: 23,
	}, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b, clk
}

func TestStaleTimerDoesNotEndTakeoverGrace(t *testing.T) {
	b, clk := newHeldBroker(t)
	c, old, s := b.conn(0), b.conn(1), b.session(0)
	staleTimerCheck(t, b, clk,
		func() { old.sess = s },
		func() { old.sess = nil },
		func() { b.waitForEnd(c, old, s) })
}

func TestStaleTimerDoesNotMarkSubscriberSlow(t *testing.T) {
	b, clk := newHeldBroker(t)
	c, sub := b.conn(0), b.session(1)
	c.sess = b.session(0)
	c.sess.conn = c
	sub.conn, sub.used = b.conn(1), true
	staleTimerCheck(t, b, clk,
		func() { sub.qLen = sub.parts.queueCap }, // congested
		func() { sub.qLen = 0 },                  // drained
		func() { b.pace(c, sub) })
	b.mu.Lock()
	defer b.mu.Unlock()
	// Only the second wait ran its full course.
	if n := b.stats.slowConsumers; n != 1 || !sub.slow {
		t.Errorf("%d slow consumers (slow %v), want 1 after one full wait", n, sub.slow)
	}
}
