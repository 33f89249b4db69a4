package linefault_test

import (
	"bytes"
	"errors"
	"io"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/linefault"
)

// patience bounds every wait; delays are a few milliseconds.
const patience = 10 * time.Second

func TestParse(t *testing.T) {
	tests := []struct {
		spec    string
		want    linefault.Config
		wantErr string // a part of the error, naming the key or value
	}{
		{spec: "", want: linefault.Config{DelayMax: linefault.DefaultDelayMax}},
		{
			spec: "drop=0.001,corrupt=0.001,dup=0.0005,delay=0.001,delaymax=5ms,seed=42",
			want: linefault.Config{Drop: 0.001, Corrupt: 0.001, Dup: 0.0005, Delay: 0.001,
				DelayMax: 5 * time.Millisecond, Seed: 42},
		},
		{spec: " corrupt = 0.5 , seed=7 ", want: linefault.Config{Corrupt: 0.5, DelayMax: linefault.DefaultDelayMax, Seed: 7}},
		{spec: "delay=1,delaymax=100us", want: linefault.Config{Delay: 1, DelayMax: 100 * time.Microsecond}},
		{spec: "drop=1", want: linefault.Config{Drop: 1, DelayMax: linefault.DefaultDelayMax}},
		{spec: "drop=x", wantErr: `drop="x"`},
		{spec: "drop=1.5", wantErr: `drop="1.5"`},
		{spec: "corrupt=-0.1", wantErr: `corrupt="-0.1"`},
		{spec: "dup=NaN", wantErr: `dup="NaN"`},
		{spec: "delaymax=5", wantErr: `delaymax="5"`},
		{spec: "delaymax=0s", wantErr: `delaymax="0s"`},
		{spec: "seed=-1", wantErr: `seed="-1"`},
		{spec: "loss=0.1", wantErr: `"loss"`},
		{spec: "drop", wantErr: `"drop"`},
		{spec: "drop=0.1,drop=0.2", wantErr: "drop given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := linefault.Parse(tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse(%q) = %+v, %v; want an error naming %s", tt.spec, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Parse(%q) = %+v, %v; want %+v", tt.spec, got, err, tt.want)
			}
			// String gives back a spec that Parse reads as the same Config.
			if again, err := linefault.Parse(got.String()); err != nil || again != got {
				t.Fatalf("Parse(%q) = %+v, %v; want %+v", got.String(), again, err, got)
			}
		})
	}
}

// sink is a wrapped line that records what is written to it and has
// nothing to read.
type sink struct {
	mu     sync.Mutex
	buf    []byte
	notify chan struct{} // capacity 1: buf grew
}

func newSink() *sink { return &sink{notify: make(chan struct{}, 1)} }

func (s *sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	s.buf = append(s.buf, p...)
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (s *sink) Read([]byte) (int, error) { return 0, io.EOF }

// await waits, up to patience, until the sink holds n bytes, and returns
// them.
func (s *sink) await(t *testing.T, n int) []byte {
	t.Helper()
	timer := time.NewTimer(patience)
	defer timer.Stop()
	for {
		s.mu.Lock()
		got := slices.Clone(s.buf)
		s.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-s.notify:
		case <-timer.C:
			t.Fatalf("%d of %d bytes arrived in %v", len(got), n, patience)
		}
	}
}

// source is a wrapped line with data to read, then EOF.
type source struct{ *bytes.Reader }

func (source) Write(p []byte) (int, error) { return len(p), nil }

func randomBytes(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 1))
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(rng.Uint32())
	}
	return p
}

// writeAll writes p to w in pieces of random sizes up to 1000 bytes.
func writeAll(t *testing.T, w io.Writer, p []byte, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 2))
	for len(p) > 0 {
		n := min(1+rng.IntN(1000), len(p))
		if m, err := w.Write(p[:n]); err != nil || m != n {
			t.Fatalf("Write: %d of %d, %v", m, n, err)
		}
		p = p[n:]
	}
}

// through sends data through a Line with cfg in direction dir ("write":
// written to the Line, "read": read from it) and returns what came out
// and the direction's counts. Without delays nothing is held, so the
// output is complete when the last Write returns or Read ends.
func through(t *testing.T, dir string, cfg linefault.Config, data []byte, seed uint64) ([]byte, linefault.Counts) {
	t.Helper()
	if dir == "write" {
		s := newSink()
		l := linefault.Wrap(s, cfg)
		writeAll(t, l, data, seed)
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.buf, l.Stats().Write
	}
	l := linefault.Wrap(source{bytes.NewReader(data)}, cfg)
	got, err := io.ReadAll(l)
	if err != nil {
		t.Fatal(err)
	}
	return got, l.Stats().Read
}

// near reports whether a count is within six standard deviations (plus
// one) of n*p: a binomial count strays that far once in about a billion
// runs.
func near(count int64, n int, p float64) bool {
	mean := float64(n) * p
	return math.Abs(float64(count)-mean) <= 6*math.Sqrt(mean*(1-p))+1
}

// TestRates checks each fault against its rate over a million bytes, in
// both directions, and the counts against what actually came out.
func TestRates(t *testing.T) {
	const n = 1_000_000
	data := randomBytes(n, 1)
	tests := []struct {
		name  string
		cfg   linefault.Config
		count func(linefault.Counts) int64
		// check verifies the output against the input and the count.
		check func(t *testing.T, got []byte, c linefault.Counts)
	}{
		{
			name:  "drop",
			cfg:   linefault.Config{Drop: 0.001, Seed: 1},
			count: func(c linefault.Counts) int64 { return c.Dropped },
			check: func(t *testing.T, got []byte, c linefault.Counts) {
				if int64(len(got)) != n-c.Dropped {
					t.Errorf("%d bytes came out, want %d - %d dropped", len(got), n, c.Dropped)
				}
			},
		},
		{
			name:  "corrupt",
			cfg:   linefault.Config{Corrupt: 0.001, Seed: 2},
			count: func(c linefault.Counts) int64 { return c.Corrupted },
			check: func(t *testing.T, got []byte, c linefault.Counts) {
				if len(got) != n {
					t.Fatalf("%d bytes came out, want %d", len(got), n)
				}
				var changed int64
				for i := range got {
					if x := got[i] ^ data[i]; x != 0 {
						changed++
						if bits.OnesCount8(x) != 1 {
							t.Fatalf("byte %d: % x became % x, more than one bit", i, data[i], got[i])
						}
					}
				}
				if changed != c.Corrupted {
					t.Errorf("%d bytes changed, Corrupted = %d", changed, c.Corrupted)
				}
			},
		},
		{
			name:  "dup",
			cfg:   linefault.Config{Dup: 0.0005, Seed: 3},
			count: func(c linefault.Counts) int64 { return c.Duplicated },
			check: func(t *testing.T, got []byte, c linefault.Counts) {
				if int64(len(got)) != n+c.Duplicated {
					t.Fatalf("%d bytes came out, want %d + %d duplicated", len(got), n, c.Duplicated)
				}
				// Removing one of each duplicated pair gives the input back:
				// walk both, skipping an output byte equal to the one before
				// it whenever the input does not have that pair.
				i, j, skipped := 0, 0, int64(0)
				for i < n && j < len(got) {
					if got[j] == data[i] {
						i++
						j++
						continue
					}
					if j > 0 && got[j] == got[j-1] {
						j++
						skipped++
						continue
					}
					t.Fatalf("output byte %d (% x) is neither input byte %d (% x) nor a copy", j, got[j], i, data[i])
				}
				skipped += int64(len(got) - j)
				if i != n || skipped > c.Duplicated {
					t.Errorf("matched %d of %d input bytes, skipped %d copies (Duplicated %d)", i, n, skipped, c.Duplicated)
				}
			},
		},
	}
	for _, tt := range tests {
		for _, dir := range []string{"write", "read"} {
			t.Run(tt.name+"/"+dir, func(t *testing.T) {
				got, c := through(t, dir, tt.cfg, data, 5)
				if c.Bytes != n {
					t.Errorf("Bytes = %d, want %d", c.Bytes, n)
				}
				rate := max(tt.cfg.Drop, tt.cfg.Corrupt, tt.cfg.Dup)
				if k := tt.count(c); !near(k, n, rate) {
					t.Errorf("%d faults in %d bytes at rate %g: expected %.0f", k, n, rate, n*rate)
				}
				tt.check(t, got, c)
			})
		}
	}
}

// TestSameSeedSameFaults replays a run: the same seed gives the same
// output however the bytes are split, another seed another output.
func TestSameSeedSameFaults(t *testing.T) {
	data := randomBytes(200_000, 2)
	cfg := linefault.Config{Drop: 0.001, Corrupt: 0.001, Dup: 0.0005, Seed: 42}
	for _, dir := range []string{"write", "read"} {
		t.Run(dir, func(t *testing.T) {
			first, c1 := through(t, dir, cfg, data, 1)
			again, c2 := through(t, dir, cfg, data, 2) // other Write sizes
			if !bytes.Equal(first, again) || c1 != c2 {
				t.Errorf("seed %d gave different faults: %+v, then %+v", cfg.Seed, c1, c2)
			}
			other := cfg
			other.Seed++
			if diff, _ := through(t, dir, other, data, 1); bytes.Equal(first, diff) {
				t.Errorf("seeds %d and %d gave the same faults", cfg.Seed, other.Seed)
			}
		})
	}
	// The two directions draw from different streams.
	w, _ := through(t, "write", cfg, data, 1)
	r, _ := through(t, "read", cfg, data, 1)
	if bytes.Equal(w, r) {
		t.Error("both directions made the same faults")
	}
}

// TestDelay checks that delayed bytes arrive late but arrive, with no
// further traffic to carry them: the timers deliver them.
func TestDelay(t *testing.T) {
	const n = 100_000
	data := randomBytes(n, 3)
	cfg := linefault.Config{Delay: 0.01, DelayMax: 2 * time.Millisecond, Seed: 9}

	check := func(t *testing.T, got []byte, c linefault.Counts) {
		t.Helper()
		if !near(c.Delayed, n, cfg.Delay) {
			t.Errorf("%d bytes delayed of %d at rate %g", c.Delayed, n, cfg.Delay)
		}
		if len(got) != n {
			t.Fatalf("%d bytes came out, want %d", len(got), n)
		}
		if bytes.Equal(got, data) {
			t.Error("no byte arrived out of order")
		}
		// Late, not changed: the same bytes in another order.
		a, b := slices.Clone(got), slices.Clone(data)
		slices.Sort(a)
		slices.Sort(b)
		if !bytes.Equal(a, b) {
			t.Error("delayed bytes changed on the way")
		}
	}

	t.Run("write", func(t *testing.T) {
		s := newSink()
		l := linefault.Wrap(s, cfg)
		defer l.Close()
		writeAll(t, l, data, 1)
		check(t, s.await(t, n), l.Stats().Write)
	})

	t.Run("read", func(t *testing.T) {
		// A pipe that stays open: the end of the line would flush what
		// is held, and the test is that the timer does.
		pr, pw := io.Pipe()
		l := linefault.Wrap(struct {
			io.Reader
			io.Writer
		}{pr, io.Discard}, cfg)
		defer pw.Close()
		go pw.Write(data) // the pipe hands it over in the reader's pieces
		type result struct {
			got []byte
			err error
		}
		done := make(chan result, 1)
		go func() {
			got := make([]byte, n)
			_, err := io.ReadFull(l, got)
			done <- result{got, err}
		}()
		select {
		case r := <-done:
			if r.err != nil {
				t.Fatal(r.err)
			}
			check(t, r.got, l.Stats().Read)
		case <-time.After(patience):
			t.Fatalf("%d bytes not read in %v", n, patience)
		}
	})

	t.Run("same seed", func(t *testing.T) {
		// When a late byte lands depends on the clock, which bytes are
		// late does not.
		var counts []linefault.Counts
		for range 2 {
			s := newSink()
			l := linefault.Wrap(s, cfg)
			writeAll(t, l, data, 1)
			s.await(t, n)
			counts = append(counts, l.Stats().Write)
			l.Close()
		}
		if counts[0] != counts[1] {
			t.Errorf("seed %d delayed differently: %+v, then %+v", cfg.Seed, counts[0], counts[1])
		}
	})
}

// TestClose checks that Close ends a blocked Read, refuses Writes and
// closes the wrapped line.
func TestClose(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	l := linefault.Wrap(struct {
		io.ReadCloser
		io.Writer
	}{pr, io.Discard}, linefault.Config{})
	done := make(chan error, 1)
	go func() {
		_, err := l.Read(make([]byte, 1))
		done <- err
	}()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, linefault.ErrClosed) && !errors.Is(err, io.ErrClosedPipe) {
			t.Errorf("Read after Close: %v", err)
		}
	case <-time.After(patience):
		t.Fatal("Read still blocked after Close")
	}
	if _, err := l.Write([]byte{1}); !errors.Is(err, linefault.ErrClosed) {
		t.Errorf("Write after Close: %v, want ErrClosed", err)
	}
	if _, err := pw.Write([]byte{1}); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("the wrapped line is still open: %v", err)
	}
}
