package load

import (
	"math"
	"math/bits"
	"time"
)

// subBits sets the histogram's precision: each power of two is split into
// 1<<subBits buckets, so a recorded value is known to within 1/32 (about 3 %).
const subBits = 5

const (
	subCount    = 1 << subBits
	linearLimit = 2 * subCount // values below are counted exactly
	bucketCount = (64-subBits)*subCount + subCount
)

// Histogram counts durations in log-linear buckets of fixed number, so that
// recording never allocates and two histograms merge by adding counts. The
// zero value is empty and ready to use; it is not safe for concurrent use.
type Histogram struct {
	counts [bucketCount]uint64
	total  uint64
	min    uint64
	max    uint64
	sum    float64
}

// bucketOf returns the bucket index of v.
func bucketOf(v uint64) int {
	if v < linearLimit {
		return int(v)
	}
	shift := bits.Len64(v) - (subBits + 1)
	return shift*subCount + int(v>>uint(shift))
}

// bucketBounds returns the smallest and largest values counted in bucket i.
func bucketBounds(i int) (lo, hi uint64) {
	if i < linearLimit {
		return uint64(i), uint64(i)
	}
	shift := uint(i/subCount - 1)
	m := uint64(i - int(shift)*subCount)
	lo = m << shift
	return lo, lo + (uint64(1) << shift) - 1
}

// Record counts one duration; negative durations count as zero.
func (h *Histogram) Record(d time.Duration) {
	v := uint64(0)
	if d > 0 {
		v = uint64(d)
	}
	h.counts[bucketOf(v)]++
	if h.total == 0 || v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
	h.total++
	h.sum += float64(v)
}

// Merge adds the counts of o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.total == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.total == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	h.total += o.total
	h.sum += o.sum
}

// Count reports how many durations were recorded.
func (h *Histogram) Count() uint64 { return h.total }

// Min reports the smallest recorded duration, exactly.
func (h *Histogram) Min() time.Duration { return time.Duration(h.min) }

// Max reports the largest recorded duration, exactly.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max) }

// Mean reports the average recorded duration.
func (h *Histogram) Mean() time.Duration {
	if h.total == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.total))
}

// Quantile returns the smallest duration d such that at least a fraction q
// of the recorded durations are at most d, to the bucket's precision: it
// reports the upper bound of the bucket holding that rank, never more than
// the recorded maximum. q is clamped to [0, 1]; an empty histogram gives 0.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	if q <= 0 {
		return time.Duration(h.min)
	}
	rank := uint64(math.Ceil(q * float64(h.total)))
	if rank > h.total {
		rank = h.total
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			_, hi := bucketBounds(i)
			if hi > h.max {
				hi = h.max
			}
			if hi < h.min {
				hi = h.min
			}
			return time.Duration(hi)
		}
	}
	return time.Duration(h.max)
}
