package load

import (
	"math"
	"testing"
	"time"
)

func TestBucketBoundsContainTheirValues(t *testing.T) {
	values := []uint64{0, 1, 63, 64, 65, 127, 128, 129, 1000, 4095, 4096, 1e6, 1e9, 1 << 40, math.MaxUint64}
	for _, v := range values {
		i := bucketOf(v)
		if i < 0 || i >= bucketCount {
			t.Fatalf("bucketOf(%d) = %d, outside [0, %d)", v, i, bucketCount)
		}
		lo, hi := bucketBounds(i)
		if v < lo || v > hi {
			t.Errorf("bucketOf(%d) = %d with bounds [%d, %d]", v, i, lo, hi)
		}
		if width := hi - lo; v >= linearLimit && float64(width) > float64(lo)/subCount {
			t.Errorf("bucket %d [%d, %d] is wider than 1/%d of its lower bound", i, lo, hi, subCount)
		}
	}
}

func TestBucketsTileTheRange(t *testing.T) {
	// Every bucket starts right after the previous one ends: no gaps, no overlaps.
	_, prevHi := bucketBounds(0)
	for i := 1; i < bucketCount; i++ {
		lo, hi := bucketBounds(i)
		if lo != prevHi+1 {
			t.Fatalf("bucket %d starts at %d, previous ended at %d", i, lo, prevHi)
		}
		if hi < lo {
			t.Fatalf("bucket %d has bounds [%d, %d]", i, lo, hi)
		}
		prevHi = hi
	}
	if prevHi != math.MaxUint64 {
		t.Fatalf("last bucket ends at %d, want MaxUint64", prevHi)
	}
}

func TestQuantile(t *testing.T) {
	// 1..1000 µs, one sample each.
	var uniform Histogram
	for i := 1; i <= 1000; i++ {
		uniform.Record(time.Duration(i) * time.Microsecond)
	}
	var twoModes Histogram
	for i := 0; i < 99; i++ {
		twoModes.Record(10 * time.Microsecond)
	}
	twoModes.Record(5 * time.Millisecond)
	var exact Histogram
	for _, d := range []time.Duration{3, 1, 2, 40, 5} {
		exact.Record(d)
	}

	tests := []struct {
		name string
		h    *Histogram
		q    float64
		want time.Duration
	}{
		{"uniform p50", &uniform, 0.50, 500 * time.Microsecond},
		{"uniform p99", &uniform, 0.99, 990 * time.Microsecond},
		{"uniform p100", &uniform, 1, 1000 * time.Microsecond},
		{"uniform p0", &uniform, 0, time.Microsecond},
		{"two modes p50", &twoModes, 0.50, 10 * time.Microsecond},
		{"two modes p99", &twoModes, 0.99, 10 * time.Microsecond},
		{"two modes p99.9", &twoModes, 0.999, 5 * time.Millisecond},
		{"small values are exact p60", &exact, 0.6, 3},
		{"small values are exact p80", &exact, 0.8, 5},
		{"small values are exact max", &exact, 1, 40},
		{"q above one is the max", &exact, 2, 40},
		{"empty", new(Histogram), 0.5, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.h.Quantile(tt.q)
			// Reported values are bucket upper bounds: never below the true
			// quantile, and above it by less than one bucket width.
			if got < tt.want || float64(got-tt.want) > float64(tt.want)/subCount {
				t.Errorf("Quantile(%v) = %v, want %v within 1/%d above", tt.q, got, tt.want, subCount)
			}
		})
	}
}

func TestHistogramStatsAndMerge(t *testing.T) {
	var a, b, empty Histogram
	a.Record(10 * time.Microsecond)
	a.Record(30 * time.Microsecond)
	b.Record(-time.Second) // clock went backwards: counts as zero
	b.Record(time.Millisecond)
	a.Merge(&b)
	a.Merge(&empty)

	if got := a.Count(); got != 4 {
		t.Errorf("Count = %d, want 4", got)
	}
	if got := a.Min(); got != 0 {
		t.Errorf("Min = %v, want 0", got)
	}
	if got := a.Max(); got != time.Millisecond {
		t.Errorf("Max = %v, want 1ms", got)
	}
	if got, want := a.Mean(), (10+30+1000)*time.Microsecond/4; got != want {
		t.Errorf("Mean = %v, want %v", got, want)
	}
	if p50, p99 := a.Quantile(0.5), a.Quantile(0.99); p50 > p99 {
		t.Errorf("p50 %v > p99 %v", p50, p99)
	}

	empty.Merge(&a)
	if empty.Count() != a.Count() || empty.Min() != a.Min() || empty.Max() != a.Max() {
		t.Errorf("merging into an empty histogram: got count %d min %v max %v, want %d %v %v",
			empty.Count(), empty.Min(), empty.Max(), a.Count(), a.Min(), a.Max())
	}
}

func TestRecordDoesNotAllocate(t *testing.T) {
	var h Histogram
	d := time.Duration(1)
	allocs := testing.AllocsPerRun(1000, func() {
		h.Record(d)
		d = d*3 + 7
	})
	if allocs != 0 {
		t.Fatalf("Record allocates %v times per call", allocs)
	}
}
