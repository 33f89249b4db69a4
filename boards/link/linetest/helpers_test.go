package linetest_test

import (
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/link/linetest"
)

// pipe returns a line that is closed when the test ends, so that no
// goroutine of a failed test stays blocked on it.
func pipe(t testing.TB, cfg linetest.Config) (a, b *linetest.End) {
	t.Helper()
	a, b = linetest.Pipe(cfg)
	t.Cleanup(func() { a.Close() })
	return a, b
}

func randomBytes(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 1))
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(rng.Uint32())
	}
	return p
}

// writeInPieces writes p to w in pieces of random sizes up to max and
// reports the first error, if any, on the returned channel.
func writeInPieces(w io.Writer, p []byte, max int, seed uint64) <-chan error {
	errc := make(chan error, 1)
	go func() {
		rng := rand.New(rand.NewPCG(seed, 2))
		for len(p) > 0 {
			n := min(1+rng.IntN(max), len(p))
			if _, err := w.Write(p[:n]); err != nil {
				errc <- err
				return
			}
			p = p[n:]
		}
		errc <- nil
	}()
	return errc
}

type readResult struct {
	data []byte
	err  error
}

// readAsync reads from r into buffers of random sizes up to max until it
// has n bytes or an error (io.EOF included), and delivers what it read.
func readAsync(r io.Reader, n, max int, seed uint64) <-chan readResult {
	done := make(chan readResult, 1)
	go func() {
		rng := rand.New(rand.NewPCG(seed, 3))
		got := make([]byte, 0, min(n, 1<<20))
		buf := make([]byte, max)
		for len(got) < n {
			k, err := r.Read(buf[:1+rng.IntN(max)])
			got = append(got, buf[:k]...)
			if err != nil {
				done <- readResult{got, err}
				return
			}
		}
		done <- readResult{got, nil}
	}()
	return done
}

// await returns the value c delivers, or fails the test after limit.
func await[T any](t testing.TB, c <-chan T, limit time.Duration, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(limit):
		t.Fatalf("%s: nothing within %v", what, limit)
		panic("unreachable")
	}
}

// eventually polls cond until it holds, failing the test after limit.
func eventually(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(time.Millisecond)
	}
}
