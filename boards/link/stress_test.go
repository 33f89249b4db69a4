package link

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/link/linetest"
)

// TestStreamsSurviveABadLine runs several streams in both directions at
// once over a line that corrupts, drops and duplicates bytes and delays
// them all: every stream must arrive whole, in order and once, and end
// with EOF on both sides.
func TestStreamsSurviveABadLine(t *testing.T) {
	faults := []linetest.Faults{
		{Corrupt: 0.01, Seed: 1},
		{Drop: 0.005, Duplicate: 0.005, Seed: 2},
		{Corrupt: 0.003, Drop: 0.003, Duplicate: 0.003, Delay: time.Millisecond, Seed: 3},
	}
	for _, f := range faults {
		t.Run(fmt.Sprintf("corrupt=%g,drop=%g,dup=%g,delay=%v", f.Corrupt, f.Drop, f.Duplicate, f.Delay), func(t *testing.T) {
			a, b := linetest.Pipe(linetest.Config{Baud: 4_000_000, Faults: f})
			cfg := Config{Streams: 4, Window: 16, MaxPayload: 128, StreamBuffer: 1024}
			host, board := pair(t, a, b, cfg, cfg)
			const streams, size = 4, 16 << 10
			var wg sync.WaitGroup
			errs := make(chan error, 4*streams)
			accepted := make(chan *Stream, streams)
			go func() {
				for i := 0; i < streams; i++ {
					s, err := board.Accept()
					if err != nil {
						errs <- err
						return
					}
					accepted <- s
				}
			}()
			for i := 0; i < streams; i++ {
				s, err := host.Open()
				if err != nil {
					t.Fatal(err)
				}
				wg.Add(2)
				go func(i int) { defer wg.Done(); errs <- echoCheck(s, size, uint64(i)) }(i)
				go func() {
					defer wg.Done()
					select {
					case r := <-accepted:
						errs <- echoServe(r)
					case <-time.After(10 * time.Second):
						errs <- fmt.Errorf("no stream accepted within 10 s")
					}
				}()
			}
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatalf("streams not done within 30 s; host %+v board %+v", host.Stats(), board.Stats())
			}
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			st := host.Stats()
			if f.Corrupt > 0 && st.Retransmits == 0 {
				t.Errorf("no retransmission on a line corrupting %g of its bytes", f.Corrupt)
			}
			t.Logf("host: %d frames sent, %d retransmitted, %d bad CRC, payload now %d", st.FramesSent, st.Retransmits, st.BadCRC, st.Payload)
		})
	}
}

// echoCheck writes size pseudo-random bytes, closes, and checks that the
// peer echoed them exactly before its EOF.
func echoCheck(s *Stream, size int, seed uint64) error {
	data := make([]byte, size)
	rng := rand.New(rand.NewPCG(seed, 99))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	werr := make(chan error, 1)
	go func() {
		_, err := s.Write(data)
		werr <- err
	}()
	got, err := io.ReadAll(s)
	if err != nil {
		return fmt.Errorf("stream %d: read: %w", seed, err)
	}
	if err := <-werr; err != nil {
		return fmt.Errorf("stream %d: write: %w", seed, err)
	}
	s.Close()
	if !bytes.Equal(got, data) {
		return fmt.Errorf("stream %d: echoed %d bytes, not the %d written", seed, len(got), len(data))
	}
	return nil
}

// echoServe echoes a stream until the host has sent size bytes, then
// closes: the host reads EOF after the echo.
func echoServe(s *Stream) error {
	buf := make([]byte, 16<<10)
	total := 0
	for total < len(buf) {
		n, err := s.Read(buf[total:])
		total += n
		if err != nil {
			return fmt.Errorf("echo read after %d bytes: %w", total, err)
		}
	}
	if _, err := s.Write(buf); err != nil {
		return fmt.Errorf("echo write: %w", err)
	}
	return s.Close()
}
