package peers

import "errors"

// TB is the part of *testing.T and ginkgo.GinkgoT() the helpers use.
type TB interface {
	Helper()
	Skip(args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// MosquittoFor starts mosquitto for a test, stopping it at the test's
// cleanup. It skips the test, with the reason, when mosquitto is not
// installed, and fails it when mosquitto does not start.
func MosquittoFor(t TB, opts MosquittoOptions) *Mosquitto {
	t.Helper()
	return startFor(t, StartMosquitto, opts)
}

// MosquittoPSKFor starts mosquitto with a TLS-PSK listener for a test, as
// MosquittoFor does.
func MosquittoPSKFor(t TB, opts MosquittoOptions) *MosquittoPSK {
	t.Helper()
	return startFor(t, StartMosquittoPSK, opts)
}

// startFor runs start for a test: it skips the test when the peer is not
// installed, fails it when the peer does not start, and stops the peer at
// the test's cleanup.
func startFor[P interface{ Stop() error }](t TB, start func(MosquittoOptions) (P, error), opts MosquittoOptions) P {
	t.Helper()
	p, err := start(opts)
	if errors.Is(err, ErrNotInstalled) {
		t.Skip(err.Error())
	}
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() {
		if err := p.Stop(); err != nil {
			t.Fatalf("%v", err)
		}
	})
	return p
}
