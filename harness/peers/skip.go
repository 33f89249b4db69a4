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
	m, err := StartMosquitto(opts)
	if errors.Is(err, ErrNotInstalled) {
		t.Skip(err.Error())
	}
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() {
		if err := m.Stop(); err != nil {
			t.Fatalf("%v", err)
		}
	})
	return m
}
