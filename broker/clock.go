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

// realClock is the Clock of package time.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
