package broker

import "time"

// A Clock tells the time and runs functions later. The broker takes all its
// time from one, so tests can drive keep alive, connect timeouts and rate
// limits with a fake clock (see package brokertest).
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has elapsed.
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
