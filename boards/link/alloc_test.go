package link

import (
	"io"
	"testing"
)

// TestNoAllocationPerFrame sends stream bytes through two links in steady
// state: framing, ACKs, credits and delivery allocate nothing.
func TestNoAllocationPerFrame(t *testing.T) {
	host, board := pipePair(t)
	s, err := host.Open()
	if err != nil {
		t.Fatal(err)
	}
	r, err := board.Accept()
	if err != nil {
		t.Fatal(err)
	}
	msg := make([]byte, 200) // several frames, and credit frames back
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
		t.Errorf("%.1f allocations per 200-byte round trip, want 0", n)
	}
	if st := host.Stats(); st.FramesSent < 200 {
		t.Errorf("host sent only %d frames", st.FramesSent)
	}
}
