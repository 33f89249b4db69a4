package linetest_test

import (
	"bytes"
	"io"
	"math"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/link/linetest"
)

// sendThrough writes data from a to b over an unpaced line with faults f
// and returns what b received and what a counted.
func sendThrough(t *testing.T, f linetest.Faults, data []byte) ([]byte, linetest.Stats) {
	t.Helper()
	a, b := pipe(t, linetest.Config{Faults: f})
	got := readAsync(b, math.MaxInt, 4096, 5)
	if err := await(t, writeInPieces(a, data, 4096, 5), 10*time.Second, "write"); err != nil {
		t.Fatal(err)
	}
	a.Close() // every byte sent has arrived: b reads them all, then EOF
	r := await(t, got, 10*time.Second, "read")
	if r.err != io.EOF {
		t.Fatalf("read ended with %v, want EOF", r.err)
	}
	return r.data, a.Stats()
}

// counting is the byte sequence 0, 1, 2, ... 255, 0, 1, ...: no two
// neighbours are equal, so what the line did to it can be read back from
// what arrived.
func counting(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i)
	}
	return p
}

// TestFaultRates checks each fault against its probability, and checks the
// counts in Stats against what the receiver sees, not only against each
// other.
func TestFaultRates(t *testing.T) {
	const n = 100_000
	tests := []struct {
		name   string
		faults linetest.Faults
		// seen counts the fault in what arrived, for the sent sequence
		// counting(n); stat picks the matching count from Stats.
		seen func(got []byte) int
		stat func(linetest.Stats) int64
	}{
		{
			name:   "corrupt",
			faults: linetest.Faults{Corrupt: 0.01, Seed: 1},
			seen: func(got []byte) int {
				if len(got) != n {
					return -1
				}
				diff := 0
				for i, c := range got {
					if c != byte(i) {
						diff++
					}
				}
				return diff
			},
			stat: func(s linetest.Stats) int64 { return s.Corrupted },
		},
		{
			name:   "drop",
			faults: linetest.Faults{Drop: 0.01, Seed: 2},
			seen: func(got []byte) int {
				// Every value skipped in the count is a dropped byte
				// (runs of 256 drops do not happen at this rate).
				missing, next := 0, byte(0)
				for _, c := range got {
					missing += int(c - next)
					next = c + 1
				}
				return missing + int(byte(n%256)-next)
			},
			stat: func(s linetest.Stats) int64 { return s.Dropped },
		},
		{
			name:   "duplicate",
			faults: linetest.Faults{Duplicate: 0.01, Seed: 3},
			seen: func(got []byte) int {
				dup := 0
				for i := 1; i < len(got); i++ {
					if got[i] == got[i-1] {
						dup++
					}
				}
				return dup
			},
			stat: func(s linetest.Stats) int64 { return s.Duplicated },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, st := sendThrough(t, tt.faults, counting(n))
			if st.Written != n {
				t.Errorf("Stats.Written = %d, want %d", st.Written, n)
			}
			if want := st.Written - st.Dropped + st.Duplicated; int64(len(got)) != want {
				t.Errorf("%d bytes arrived; Stats %+v says %d", len(got), st, want)
			}
			count := tt.stat(st)
			if count < 700 || count > 1300 {
				t.Errorf("%s %d times in %d bytes at probability 0.01, want 700 to 1300", tt.name, count, n)
			}
			if seen := tt.seen(got); int64(seen) != count {
				t.Errorf("receiver sees %d bytes %s, Stats counts %d", seen, tt.name, count)
			}
			// The other faults did not happen.
			for _, other := range tests {
				if other.name != tt.name {
					if c := other.stat(st); c != 0 {
						t.Errorf("%s %d times on a line configured only to %s", other.name, c, tt.name)
					}
				}
			}
		})
	}
}

func TestSeedReplaysFaults(t *testing.T) {
	data := randomBytes(20_000, 6)
	faults := func(seed int64) linetest.Faults {
		return linetest.Faults{Corrupt: 0.02, Drop: 0.02, Duplicate: 0.02, Seed: seed}
	}
	first, st1 := sendThrough(t, faults(42), data)
	again, st2 := sendThrough(t, faults(42), data)
	other, _ := sendThrough(t, faults(43), data)
	if !bytes.Equal(first, again) || st1 != st2 {
		t.Errorf("seed 42 twice: different faults (%+v, then %+v)", st1, st2)
	}
	if bytes.Equal(first, other) {
		t.Error("seeds 42 and 43 gave the same faults")
	}

	// The two directions have independent sources: the same bytes sent
	// the other way are damaged differently.
	a, b := pipe(t, linetest.Config{Faults: faults(42)})
	ra := readAsync(a, math.MaxInt, 4096, 7)
	if _, err := b.Write(data); err != nil {
		t.Fatal(err)
	}
	b.Close()
	back := await(t, ra, 10*time.Second, "read b to a")
	if back.err != io.EOF {
		t.Fatalf("read ended with %v, want EOF", back.err)
	}
	if bytes.Equal(back.data, first) {
		t.Error("b to a damaged the bytes exactly as a to b did")
	}
}

func TestPipePanicsOnBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  linetest.Config
	}{
		{"negative baud", linetest.Config{Baud: -1}},
		{"corrupt above 1", linetest.Config{Faults: linetest.Faults{Corrupt: 1.5}}},
		{"negative drop", linetest.Config{Faults: linetest.Faults{Drop: -0.1}}},
		{"NaN duplicate", linetest.Config{Faults: linetest.Faults{Duplicate: math.NaN()}}},
		{"negative delay", linetest.Config{Faults: linetest.Faults{Delay: -time.Second}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Pipe(%+v) did not panic", tt.cfg)
				}
			}()
			linetest.Pipe(tt.cfg)
		})
	}
}
