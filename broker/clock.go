package broker

import "time"

// A Clock tells the time and runs functions later. The broker takes all its
// time from one, so tests can drive keep alive, connect timeouts and rate
// limits with a fake clock (see package brokertest).
type Clock interface {
	Now() time.Time
	// AfterFunc calls f once d has elapsed, never before Now has moved on
	// by d. The broker's functions lock what they touch and decide by Now,
	// not by being called, so f may run in a goroutine of its own (as with
	// package time), synchronously in whatever moves a fake clock on (as
	// with brokertest.Clock), or late, after Stop has reported it no
	// longer pending. It must not run inside AfterFunc, Stop or Reset,
	// which the broker calls with its lock held.
	AfterFunc(d time.Duration, f func()) Timer
}

// A Timer is a pending call made by a Clock.
type Timer interface {
	// Stop cancels the call and reports whether it was still pending.
	Stop() bool
	// Reset schedules the call again, d from now, and reports whether it
	// was still pending.
	Reset(d time.Duration) bool
}

// A sleeper is a Clock that can also hold up the calling goroutine for d,
// as time.Sleep does. A reader waits out the rate limit by sleeping when
// its Clock is one, since under TinyGo a Timer costs heap on every use:
// Reset allocates, and a function of AfterFunc runs in a goroutine started
// (and its stack allocated) each time the timer fires.
type sleeper interface {
	Sleep(d time.Duration)
}

// realClock is the Clock of package time, and a sleeper.
type realClock struct{}

func (realClock) Sleep(d time.Duration) { time.Sleep(d) }

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
