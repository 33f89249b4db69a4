package link

import (
	"io"
	"testing"
)

// TestNoAllocationPerFrame sends stream bytes through two links in steady
// state: framing, ACKs, credits and delivery allocate nothing.
func TestNoAllocationPerFrame(t *testing.T) {
	host, board := pipePair(t)
	s, r := openStream(t, host, board)
	// Several frames, and credit frames back. The Write must fit the
	// receiver's free buffer even when up to a quarter of it has been read
	// but not yet credited, since this goroutine reads only afterwards.
	msg := make([]byte, 3*testConfig.StreamBuffer/4-1)
	got := make([]byte, len(msg))
	roundTrip := func() {
		if _, err := s.Write(msg); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(r, got); err != nil {
			t.Fatal(err)
		}
	}
	roundTrip()
	if n := testing.AllocsPerRun(200, roundTrip); n != 0 {
		t.Errorf("%.1f allocations per round trip of %d bytes, want 0", n, len(msg))
	}
	if st := host.Stats(); st.FramesSent < 400 {
		t.Errorf("host sent only %d frames", st.FramesSent)
	}
}
