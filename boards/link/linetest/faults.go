package linetest

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Faults says what the line does wrong. Each probability applies
// independently to every byte sent, in each direction. A dropped byte is
// neither corrupted nor duplicated; a corrupted byte that is duplicated
// arrives twice with the same wrong value.
type Faults struct {
	Corrupt   float64       // probability a byte arrives XORed with a random non-zero value
	Drop      float64       // probability a byte is lost
	Duplicate float64       // probability a byte arrives twice
	Delay     time.Duration // one-way propagation latency added to every byte, on top of pacing
	Seed      int64         // seeds the fault sources, so a failing run can be replayed
}

func (f Faults) validate() error {
	for _, p := range []struct {
		name string
		v    float64
	}{{"Corrupt", f.Corrupt}, {"Drop", f.Drop}, {"Duplicate", f.Duplicate}} {
		if !(p.v >= 0 && p.v <= 1) { // also rejects NaN
			return fmt.Errorf("linetest: Faults.%s %g is not a probability", p.name, p.v)
		}
	}
	if f.Delay < 0 {
		return fmt.Errorf("linetest: negative Faults.Delay %v", f.Delay)
	}
	return nil
}

// source returns the fault source of one direction (dir 0 or 1): the
// directions draw from different streams so that their faults are
// independent, and from the same streams on every run with the same Seed.
func (f Faults) source(dir uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(f.Seed), 0x9e3779b97f4a7c15^dir))
}

// Stats counts what one end has sent. Bytes that reach the far end are
// Written - Dropped + Duplicated.
type Stats struct {
	Written    int64 // bytes that left this end (a Write cut short by Close counts only those)
	Corrupted  int64 // of those, bytes delivered with a changed value
	Dropped    int64 // bytes lost
	Duplicated int64 // bytes delivered twice
}

func (s *Stats) add(o Stats) {
	s.Written += o.Written
	s.Corrupted += o.Corrupted
	s.Dropped += o.Dropped
	s.Duplicated += o.Duplicated
}

func (s *Stats) sub(o Stats) {
	s.Written -= o.Written
	s.Corrupted -= o.Corrupted
	s.Dropped -= o.Dropped
	s.Duplicated -= o.Duplicated
}

// apply appends to out what the far end receives for the bytes in, and
// counts the faults. A clean line draws nothing from rng, which keeps an
// unpaced clean line as fast as a copy.
func (f *Faults) apply(rng *rand.Rand, out, in []byte) ([]byte, Stats) {
	st := Stats{Written: int64(len(in))}
	if f.Corrupt == 0 && f.Drop == 0 && f.Duplicate == 0 {
		return append(out, in...), st
	}
	for _, c := range in {
		if f.Drop > 0 && rng.Float64() < f.Drop {
			st.Dropped++
			continue
		}
		if f.Corrupt > 0 && rng.Float64() < f.Corrupt {
			c ^= byte(1 + rng.IntN(255))
			st.Corrupted++
		}
		out = append(out, c)
		if f.Duplicate > 0 && rng.Float64() < f.Duplicate {
			out = append(out, c)
			st.Duplicated++
		}
	}
	return out, st
}
