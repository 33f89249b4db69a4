package linetest

import (
	"io"
	"math/rand/v2"
	"sync"
	"time"
)

const (
	// chunk is how many bytes of a Write travel as one unit: small enough
	// that a reader sees a long transfer progressively, large enough that
	// a megabyte is not a million queue entries.
	chunk = 64

	// maxLag bounds the wake-up lateness of a Write that the line forgives
	// (see the package doc): above timer granularity on common systems,
	// small enough that the virtual clock stays close to the wall clock.
	maxLag = 4 * time.Millisecond
)

// segment is a run of bytes on the wire, as the far end will receive
// them. Times are virtual line times, measured from the pipe's epoch.
type segment struct {
	dep  time.Duration // when its last byte left the sender
	at   time.Duration // when its last byte reaches the receiver: dep + Delay
	data []byte        // what arrives, faults applied
	st   Stats         // what sending it counted, undone if Close cuts it before it leaves
}

// line is one direction of a Pipe: a transmitter, a wire and the
// receiver's buffer.
type line struct {
	baud   int
	faults Faults
	epoch  time.Time
	done   <-chan struct{} // closed by Close, wakes every waiter on both directions
	wake   chan struct{}   // capacity 1: new bytes on the wire, for a waiting reader

	mu       sync.Mutex
	rng      *rand.Rand
	wire     []segment     // in order of arrival
	off      int           // bytes of wire[0] already read
	free     time.Duration // virtual time the transmitter is next idle
	lag      time.Duration // how late the last paced Write woke, forgiven to the next
	closed   bool
	closedAt time.Duration
	stats    Stats
	reading  int // Reads blocked waiting for bytes, for tests
	writing  int // Writes blocked waiting for their last byte to leave, for tests
}

func newLine(cfg Config, epoch time.Time, done <-chan struct{}, dir uint64) *line {
	return &line{
		baud:   cfg.Baud,
		faults: cfg.Faults,
		epoch:  epoch,
		done:   done,
		wake:   make(chan struct{}, 1),
		rng:    cfg.Faults.source(dir),
	}
}

// now is the wall clock in the line's time base. time.Since uses the
// monotonic clock, so the virtual clock never runs backwards.
func (l *line) now() time.Duration { return time.Since(l.epoch) }

// txTime is how long the first n bytes of a Write occupy a paced line.
// Computed from the Write's start each time, so no rounding accumulates.
func (l *line) txTime(n int) time.Duration {
	return time.Duration(int64(n) * 10 * int64(time.Second) / int64(l.baud))
}

func (l *line) write(p []byte) (int, error) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return 0, io.ErrClosedPipe
	}
	if len(p) == 0 {
		l.mu.Unlock()
		return 0, nil
	}
	now := l.now()
	// One buffer for the whole Write: segments are slices of it.
	buf := make([]byte, 0, len(p))
	if l.baud == 0 {
		l.send(buf, p, now)
		l.mu.Unlock()
		return len(p), nil
	}
	// The transmitter starts when it is free, or now — as if the last
	// Write had woken on time, so its wake-up lateness is not lost.
	start := max(l.free, now-l.lag)
	l.free = start + l.txTime(len(p))
	deadline := l.free
	for off := 0; off < len(p); off += chunk {
		end := min(off+chunk, len(p))
		buf = l.send(buf, p[off:end], start+l.txTime(end))
	}
	l.mu.Unlock()

	if d := deadline - l.now(); d > 0 {
		t := time.NewTimer(d)
		l.block(+1)
		select {
		case <-t.C:
		case <-l.done:
			t.Stop()
		}
		l.block(-1)
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed && l.closedAt < deadline {
		// Close cut the Write short: report the chunks that had left,
		// the same ones close kept counted.
		n := 0
		for off := 0; off < len(p); off += chunk {
			end := min(off+chunk, len(p))
			if start+l.txTime(end) > l.closedAt {
				break
			}
			n = end
		}
		return n, io.ErrClosedPipe
	}
	l.lag = min(max(l.now()-deadline, 0), maxLag)
	return len(p), nil
}

// send puts p on the wire with its last byte leaving at dep, appending
// what will arrive to buf (a duplicate may make buf grow elsewhere, which
// leaves the earlier segments intact). l.mu is held.
func (l *line) send(buf, p []byte, dep time.Duration) []byte {
	mark := len(buf)
	buf, st := l.faults.apply(l.rng, buf, p)
	l.stats.add(st)
	data := buf[mark:len(buf):len(buf)]
	l.wire = append(l.wire, segment{dep: dep, at: dep + l.faults.Delay, data: data, st: st})
	select {
	case l.wake <- struct{}{}:
	default:
	}
	return buf
}

func (l *line) read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		now := l.now()
		n := 0
		for len(l.wire) > 0 && l.wire[0].at <= now && n < len(p) {
			s := &l.wire[0]
			c := copy(p[n:], s.data[l.off:])
			n += c
			l.off += c
			if l.off == len(s.data) {
				l.wire[0] = segment{}
				l.wire = l.wire[1:]
				l.off = 0
			}
		}
		if n > 0 {
			return n, nil
		}
		if l.closed {
			return 0, io.EOF
		}
		// Wait for the next byte on the wire to arrive, or for a Write to
		// put one there, or for Close.
		var t *time.Timer
		var arrived <-chan time.Time
		if len(l.wire) > 0 {
			t = time.NewTimer(l.wire[0].at - now)
			arrived = t.C
		}
		l.reading++
		l.mu.Unlock()
		select {
		case <-arrived:
		case <-l.wake:
		case <-l.done:
		}
		if t != nil {
			t.Stop()
		}
		l.mu.Lock()
		l.reading--
	}
}

// block counts a Write waiting for its deadline, for tests.
func (l *line) block(d int) {
	l.mu.Lock()
	l.writing += d
	l.mu.Unlock()
}

// close cuts the wire at the present moment: bytes that have arrived stay
// readable, bytes still on the wire are lost, and bytes not yet sent are
// not counted as sent. Waiters are woken by the caller closing done.
func (l *line) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	l.closed = true
	l.closedAt = l.now()
	i := len(l.wire)
	for i > 0 && l.wire[i-1].at > l.closedAt { // arrival times only grow
		i--
		if s := l.wire[i]; s.dep > l.closedAt {
			l.stats.sub(s.st)
		}
		l.wire[i] = segment{}
	}
	l.wire = l.wire[:i]
}

func (l *line) snapshot() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stats
}

// blocked reports how many Reads and Writes wait on this direction.
func (l *line) blocked() (reads, writes int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.reading, l.writing
}
