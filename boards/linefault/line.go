package linefault

import (
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// ErrClosed is returned by Read and Write after Close.
var ErrClosed = errors.New("linefault: line closed")

// readAhead bounds the bytes the read goroutine holds for the caller.
const readAhead = 64 << 10

// Counts says what one direction did.
type Counts struct {
	Bytes      int64 // bytes that entered the direction
	Dropped    int64
	Corrupted  int64
	Duplicated int64
	Delayed    int64 // bytes held back (a duplicated byte counts once)
}

// Stats are the counts of both directions: Read for the bytes read from
// the wrapped line, Write for the bytes written to it.
type Stats struct{ Read, Write Counts }

// Line is a faulty view of a wrapped line. It is safe for one reader and
// any number of writers at a time; Stats and Close may be called from any
// goroutine.
type Line struct {
	rw io.ReadWriter

	wmu    sync.Mutex
	out    faulter
	wbuf   []byte
	wtimer *time.Timer
	werr   error // a failed timer write, reported by the next Write

	rmu      sync.Mutex
	rcond    sync.Cond // bytes ready, room for more, closed
	in       faulter
	ready    []byte // faulted bytes for Read, from roff on
	roff     int
	rerr     error // the wrapped Read's error, after ready drains
	rtimer   *time.Timer
	pumpOnce sync.Once

	closeOnce sync.Once
	closed    bool // guarded by both wmu and rmu
}

// Wrap returns rw with the faults cfg sets. It panics if cfg does not
// Validate: a configuration is checked where it is read (Parse).
func Wrap(rw io.ReadWriter, cfg Config) *Line {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	l := &Line{rw: rw}
	// The directions draw from different PCG streams, so that their
	// faults are independent.
	l.in = faulter{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x6c696e65_72656164))}  // "lineread"
	l.out = faulter{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x6c696e65_77726974))} // "linewrit"
	l.rcond.L = &l.rmu
	return l
}

// Write sends p through the faults to the wrapped line and returns
// len(p) unless the wrapped Write fails: a dropped byte has been sent,
// as far as the writer can tell.
func (l *Line) Write(p []byte) (int, error) {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if l.closed {
		return 0, ErrClosed
	}
	if err := l.werr; err != nil {
		return 0, err
	}
	now := time.Now()
	buf := l.out.release(now, l.wbuf[:0])
	buf = l.out.apply(p, now, buf)
	l.wbuf = buf[:0]
	l.armWrite()
	if len(buf) > 0 {
		if _, err := l.rw.Write(buf); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// armWrite schedules the write of the next held byte. Called with wmu.
func (l *Line) armWrite() {
	due, ok := l.out.next()
	if !ok {
		return
	}
	d := time.Until(due)
	if l.wtimer == nil {
		l.wtimer = time.AfterFunc(d, l.flushWrite)
		return
	}
	l.wtimer.Reset(d)
}

// flushWrite writes the held bytes that are due.
func (l *Line) flushWrite() {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if l.closed || l.werr != nil {
		return
	}
	buf := l.out.release(time.Now(), l.wbuf[:0])
	l.wbuf = buf[:0]
	l.armWrite()
	if len(buf) > 0 {
		if _, err := l.rw.Write(buf); err != nil {
			l.werr = err
		}
	}
}

// Read returns bytes from the wrapped line after the faults. When the
// wrapped Read fails, Read returns what was still held (delayed bytes
// included) and then that error.
func (l *Line) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	l.pumpOnce.Do(func() { go l.pump() })
	l.rmu.Lock()
	defer l.rmu.Unlock()
	for l.roff == len(l.ready) && l.rerr == nil && !l.closed {
		l.rcond.Wait()
	}
	switch {
	case l.closed:
		return 0, ErrClosed
	case l.roff == len(l.ready):
		return 0, l.rerr
	}
	n := copy(p, l.ready[l.roff:])
	l.roff += n
	if l.roff == len(l.ready) {
		l.ready, l.roff = l.ready[:0], 0
	}
	l.rcond.Broadcast() // room for the pump
	return n, nil
}

// pump reads the wrapped line, so that held bytes can be delivered while
// the wrapped Read is blocked.
func (l *Line) pump() {
	buf := make([]byte, 4096)
	for {
		n, err := l.rw.Read(buf)
		l.rmu.Lock()
		now := time.Now()
		l.compact()
		l.ready = l.in.release(now, l.ready)
		l.ready = l.in.apply(buf[:n], now, l.ready)
		if err != nil {
			// The line ended: what it held arrives before the error.
			l.ready = l.in.release(time.Time{}, l.ready)
			l.rerr = err
			l.rcond.Broadcast()
			l.rmu.Unlock()
			return
		}
		l.armRead()
		l.rcond.Broadcast()
		for len(l.ready)-l.roff >= readAhead && !l.closed {
			l.rcond.Wait()
		}
		closed := l.closed
		l.rmu.Unlock()
		if closed {
			return
		}
	}
}

// compact moves unread bytes to the front of ready. Called with rmu.
func (l *Line) compact() {
	if l.roff > 0 {
		l.ready = l.ready[:copy(l.ready, l.ready[l.roff:])]
		l.roff = 0
	}
}

// armRead schedules the delivery of the next held byte. Called with rmu.
func (l *Line) armRead() {
	due, ok := l.in.next()
	if !ok {
		return
	}
	d := time.Until(due)
	if l.rtimer == nil {
		l.rtimer = time.AfterFunc(d, l.flushRead)
		return
	}
	l.rtimer.Reset(d)
}

// flushRead hands the held bytes that are due to Read.
func (l *Line) flushRead() {
	l.rmu.Lock()
	defer l.rmu.Unlock()
	if l.closed || l.rerr != nil {
		return
	}
	l.compact()
	l.ready = l.in.release(time.Now(), l.ready)
	l.armRead()
	l.rcond.Broadcast()
}

// Close stops the line: held bytes are lost, Read and Write return
// ErrClosed, and the wrapped line is closed if it is an io.Closer (which
// also ends the read goroutine).
func (l *Line) Close() error {
	var err error
	l.closeOnce.Do(func() {
		// The wrapped line first: that wakes a wrapped Write blocked
		// under wmu.
		if c, ok := l.rw.(io.Closer); ok {
			err = c.Close()
		}
		l.wmu.Lock()
		l.rmu.Lock()
		l.closed = true
		for _, t := range []*time.Timer{l.wtimer, l.rtimer} {
			if t != nil {
				t.Stop()
			}
		}
		l.rcond.Broadcast()
		l.rmu.Unlock()
		l.wmu.Unlock()
	})
	return err
}

// Stats returns what the line has done so far.
func (l *Line) Stats() Stats {
	l.rmu.Lock()
	in := l.in.counts
	l.rmu.Unlock()
	l.wmu.Lock()
	out := l.out.counts
	l.wmu.Unlock()
	return Stats{Read: in, Write: out}
}

// faulter applies the faults of one direction.
type faulter struct {
	cfg    Config
	rng    *rand.Rand
	held   []heldByte // by due time, then by order of arrival
	counts Counts
}

type heldByte struct {
	due    time.Time
	b      byte
	copies uint8
}

// apply appends to out what becomes of p at time now, holding the
// delayed bytes back.
func (f *faulter) apply(p []byte, now time.Time, out []byte) []byte {
	c, rng := &f.cfg, f.rng
	for _, b := range p {
		f.counts.Bytes++
		// A rate of 0 draws nothing, so a perfect line costs one
		// comparison per fault.
		if c.Drop > 0 && rng.Float64() < c.Drop {
			f.counts.Dropped++
			continue
		}
		if c.Corrupt > 0 && rng.Float64() < c.Corrupt {
			b ^= 1 << rng.IntN(8)
			f.counts.Corrupted++
		}
		copies := uint8(1)
		if c.Dup > 0 && rng.Float64() < c.Dup {
			copies = 2
			f.counts.Duplicated++
		}
		if c.Delay > 0 && rng.Float64() < c.Delay {
			f.counts.Delayed++
			due := now.Add(1 + time.Duration(rng.Int64N(int64(c.DelayMax))))
			h := heldByte{due: due, b: b, copies: copies}
			// Insert after every byte due no later, keeping the order of
			// arrival among equal due times.
			i, _ := slices.BinarySearchFunc(f.held, due, func(h heldByte, t time.Time) int {
				if h.due.After(t) {
					return 1
				}
				return -1
			})
			f.held = slices.Insert(f.held, i, h)
			continue
		}
		out = append(out, b)
		if copies == 2 {
			out = append(out, b)
		}
	}
	return out
}

// release appends to out the held bytes due at now (every held byte for
// the zero time) and forgets them.
func (f *faulter) release(now time.Time, out []byte) []byte {
	n := 0
	for _, h := range f.held {
		if !now.IsZero() && h.due.After(now) {
			break
		}
		for range h.copies {
			out = append(out, h.b)
		}
		n++
	}
	f.held = slices.Delete(f.held, 0, n)
	return out
}

// next returns the due time of the first held byte.
func (f *faulter) next() (time.Time, bool) {
	if len(f.held) == 0 {
		return time.Time{}, false
	}
	return f.held[0].due, true
}
