package broker

import "testing"

// TestSignals checks that signals behave as channels of capacity one sent
// to without blocking: raising is idempotent, a wait takes what it waits
// for and leaves the rest raised.
func TestSignals(t *testing.T) {
	for _, tc := range []struct {
		name         string
		raise        []signal
		wait         signal
		got, stillUp signal
		lowerFirst   signal
	}{
		{"one raised, waited for", []signal{sigWake}, sigWake, sigWake, 0, 0},
		{"raised twice, one wait takes it", []signal{sigRoom, sigRoom}, sigRoom, sigRoom, 0, 0},
		{"the other stays raised", []signal{sigWake | sigRoom}, sigRoom, sigRoom, sigWake, 0},
		{"either of two", []signal{sigQuit}, sigWake | sigQuit, sigQuit, 0, 0},
		{"both of two", []signal{sigWake, sigQuit}, sigWake | sigQuit, sigWake | sigQuit, 0, 0},
		{"lowered before the wait", []signal{sigTick, sigDone, sigWake}, sigDone, sigDone, sigWake, sigTick},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s signals
			s.init()
			for _, r := range tc.raise {
				s.raise(r)
			}
			s.lower(tc.lowerFirst)
			if got := s.wait(tc.wait); got != tc.got {
				t.Errorf("wait(%05b) = %05b, want %05b", tc.wait, got, tc.got)
			}
			if s.up != tc.stillUp {
				t.Errorf("raised after the wait: %05b, want %05b", s.up, tc.stillUp)
			}
		})
	}
}

// TestSignalsWakeTheirWaiter checks that raising a signal wakes the
// goroutine waiting for it while another waits for a different one on
// the same condition variable: were raise to wake a single waiter, it
// could wake the wrong one, and this test would hang.
func TestSignalsWakeTheirWaiter(t *testing.T) {
	var s signals
	s.init()
	woke := make(chan signal)
	for _, which := range []signal{sigWake, sigRoom} {
		go func() { woke <- s.wait(which) }()
	}
	// Each waiter is parked or about to be; either way the raise reaches it.
	for _, which := range []signal{sigRoom, sigWake} {
		s.raise(which)
		if got := <-woke; got != which {
			t.Fatalf("raising %05b woke a waiter with %05b", which, got)
		}
	}
}
