package link

import (
	"encoding/binary"
	"io"
	"sync"
)

// A Stream is one byte stream of a Link, with TCP's promise: ordered,
// lossless, exactly once; a Close is an EOF for the peer's reader after
// the bytes before it, and a reset is an error on both sides. A Stream
// must not be used after its Close has returned.
type Stream struct {
	l         *Link
	rec       int8 // index in Link.recs
	ch        int8 // channel while mapped, -1 otherwise
	inUse     bool // handed to Open, Accept or Control, not yet released
	local     bool // Close was called
	sentFin   bool // CLOSE or RESET queued
	resetSent bool
	recvFin   bool // CLOSE or RESET received
	err       error
	notice    error // told once to the control stream's next Read or Write
	readable  sync.Cond
	notify    func() // called once when the stream becomes readable; see NotifyReadable

	buf       []byte // receive ring
	head, n   int
	credit    int // bytes the peer can still take
	allowance int // bytes the peer may still send
	consumed  int // bytes read and not yet returned as credit

	owesClose, owesReset bool
}

// Channel returns the stream's channel number on the line (0: control).
func (s *Stream) Channel() int {
	s.l.mu.Lock()
	defer s.l.mu.Unlock()
	return int(s.ch)
}

// Read reads stream bytes; it returns io.EOF after the peer's Close.
func (s *Stream) Read(p []byte) (int, error) { return s.read(p, true) }

// TryRead is Read without the wait: with nothing to read yet it returns
// 0 and ErrWouldBlock. With NotifyReadable, a server can serve many
// streams without a goroutine waiting in each.
func (s *Stream) TryRead(p []byte) (int, error) { return s.read(p, false) }

func (s *Stream) read(p []byte, wait bool) (int, error) {
	l := s.l
	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		if err := s.takeNotice(); err != nil {
			return 0, err
		}
		switch {
		case s.local:
			return 0, ErrClosed
		case s.n > 0:
			n := s.take(p)
			s.consumed += n
			l.fill()
			return n, nil
		case s.err != nil:
			return 0, s.err
		case s.recvFin:
			return 0, io.EOF
		case l.err != nil:
			return 0, l.err
		case !wait:
			return 0, ErrWouldBlock
		}
		s.readable.Wait()
	}
}

// NotifyReadable arranges for one call of f once a Read would not wait:
// bytes, an end, an error or a close. It calls f at once when that is so
// already. f is called with the link's lock held, from the goroutine
// that made the stream readable: it must not wait, nor call the link.
func (s *Stream) NotifyReadable(f func()) {
	l := s.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if s.notice != nil || s.local || s.n > 0 || s.err != nil || s.recvFin || l.err != nil {
		f()
		return
	}
	s.notify = f
}

// wake wakes the stream's readers, and tells its NotifyReadable.
func (s *Stream) wake() {
	s.readable.Broadcast()
	if f := s.notify; f != nil {
		s.notify = nil
		f()
	}
}

// take copies buffered bytes out of the ring.
func (s *Stream) take(p []byte) int {
	n := 0
	for n < len(p) && s.n > 0 {
		end := min(len(s.buf), s.head+s.n)
		c := copy(p[n:], s.buf[s.head:end])
		s.head = (s.head + c) % len(s.buf)
		s.n -= c
		n += c
	}
	return n
}

// maxUnsent bounds the DATA frames waiting for their first transmission,
// so that a frame takes its size from the line's latest state, not from
// the state when a large Write began.
const maxUnsent = 2

// Write sends all of p, waiting for window room and for the peer's
// credit.
func (s *Stream) Write(p []byte) (int, error) {
	l := s.l
	l.mu.Lock()
	defer l.mu.Unlock()
	written := 0
	for written < len(p) {
		if err := s.takeNotice(); err != nil {
			return written, err
		}
		switch {
		case s.local:
			return written, ErrClosed
		case s.err != nil:
			return written, s.err
		case s.sentFin || (s.ch < 0 && s.rec != 0):
			// The control stream has no channel while the link
			// resynchronises after a peer restart; it waits below for the
			// link to come up, as before the first synchronisation.
			return written, ErrClosed
		case l.err != nil:
			return written, l.err
		case !l.sync.up || l.send.free() == 0 || s.credit == 0 || l.send.unsent() >= maxUnsent:
			l.cond.Wait()
			continue
		}
		n := min(len(p)-written, l.send.payload, s.credit)
		l.send.queue(kindData, uint8(s.ch), p[written:written+n])
		s.credit -= n
		written += n
		l.kick()
	}
	return written, nil
}

// Close ends the stream: the peer reads EOF after the bytes already
// written. Bytes the peer sends after that are discarded and answered
// with a reset.
func (s *Stream) Close() error {
	l := s.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if s.local {
		return ErrClosed
	}
	if s.rec == 0 {
		// The control stream lives as long as the link.
		return nil
	}
	s.local = true
	s.head, s.n = 0, 0
	if s.ch >= 0 && !s.sentFin {
		s.owesClose = true
		l.fill()
	}
	s.wake()
	l.cond.Broadcast()
	s.release()
	return nil
}

func (s *Stream) takeNotice() error {
	err := s.notice
	s.notice = nil
	return err
}

// received takes the bytes of a DATA frame.
func (s *Stream) received(p []byte) {
	l := s.l
	switch {
	case s.recvFin:
		l.stats.Malformed++
		return
	case s.local || s.err != nil:
		// Nobody will read them: tell the peer to stop writing.
		if !s.resetSent && !s.owesReset {
			s.owesClose, s.owesReset = false, true
			l.fill()
		}
		return
	case len(p) > s.allowance:
		l.stats.CreditOverruns++
		s.err = ErrReset
		s.head, s.n = 0, 0
		s.owesReset = true
		l.fill()
		s.wake()
		l.cond.Broadcast()
		return
	}
	s.allowance -= len(p)
	tail := (s.head + s.n) % len(s.buf)
	c := copy(s.buf[tail:], p)
	copy(s.buf, p[c:])
	s.n += len(p)
	s.wake()
}

// peerClosed handles CLOSE (err nil) and RESET from the peer.
func (s *Stream) peerClosed(err error) {
	l := s.l
	s.recvFin = true
	if err != nil {
		if s.err == nil {
			s.err = err
		}
		s.head, s.n = 0, 0
		if !s.sentFin && !s.owesClose {
			s.owesReset = true
			l.fill()
		}
	}
	s.wake()
	l.cond.Broadcast()
	s.unmapIfDone()
}

// unmapIfDone frees the channel once both sides have ended the stream.
func (s *Stream) unmapIfDone() {
	if s.ch >= 0 && s.sentFin && s.recvFin && !s.owesClose && !s.owesReset {
		s.l.chans[s.ch] = chanFreed
		s.ch = -1
	}
	s.release()
}

// release returns the record once the application is done with it and
// the channel is free.
func (s *Stream) release() {
	if s.local && s.ch < 0 {
		s.inUse = false
		s.notify = nil
	}
}

// mapped returns the stream on channel ch, or nil.
func (l *Link) mapped(ch uint8) *Stream {
	if r := l.chans[ch]; r >= 0 {
		return &l.recs[r]
	}
	return nil
}

// owe records that channel ch, which has no stream, must be reset.
func (l *Link) owe(ch uint8) {
	l.owedRST |= 1 << ch
	l.fill()
}

// bind gives record s channel ch with fresh buffers and credit.
func (l *Link) bind(s *Stream, ch uint8) {
	s.ch, s.inUse, s.local = int8(ch), true, false
	s.sentFin, s.resetSent, s.recvFin, s.owesClose, s.owesReset = false, false, false, false, false
	s.err = nil
	s.head, s.n, s.consumed = 0, 0, 0
	s.credit, s.allowance = int(l.sync.peer.streamBuffer), len(s.buf)
	l.chans[ch] = s.rec
}

// freeRecord returns an unused stream record other than the control
// stream's, or nil.
func (l *Link) freeRecord() *Stream {
	for i := 1; i < len(l.recs); i++ {
		if !l.recs[i].inUse {
			return &l.recs[i]
		}
	}
	return nil
}

// peerOpened handles OPEN: the stream waits for Accept, or is reset when
// there is no room for it.
func (l *Link) peerOpened(ch uint8) {
	if l.chans[ch] >= 0 {
		l.stats.Malformed++
		return
	}
	s := l.freeRecord()
	if ch == 0 || int(ch) > l.cfg.Streams || s == nil || l.acceptN == len(l.accepted) {
		l.stats.Refused++
		l.owe(ch)
		return
	}
	l.bind(s, ch)
	l.accepted[(l.acceptAt+l.acceptN)%len(l.accepted)] = s.rec
	l.acceptN++
	l.cond.Broadcast()
}

// Open opens a stream to the peer, waiting until the link is up and the
// window has room for the OPEN frame. Streams are opened by one side (the
// host) and accepted by the other (the board).
func (l *Link) Open() (*Stream, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.err == nil && (!l.sync.up || l.send.free() == 0) {
		l.cond.Wait()
	}
	if l.err != nil {
		return nil, l.err
	}
	s := l.freeRecord()
	ch := l.freeChannel()
	if s == nil || ch < 0 {
		return nil, ErrNoStreams
	}
	l.bind(s, uint8(ch))
	l.send.queue(kindOpen, uint8(ch), nil)
	l.kick()
	return s, nil
}

// Free channels are chanFree or chanFreed; mapped ones hold a record index.
const (
	chanFree  = -1 // free and not reused since the last recycling
	chanFreed = -2 // freed since: Open takes it only when no chanFree is left
)

// freeChannel picks the channel for a stream Open starts, or -1. It takes
// channels in turn rather than the lowest free one: both ends may drop a
// stream's channel while a RESET the peer sent for the stream's last bytes
// is still on the line (a TLS client's close_notify crossing the board's
// close makes one), and a channel reused at once would take that RESET as
// its new stream's. Cycling through the channels lets such a frame reach a
// free channel, where it is ignored. It narrows the window to a whole
// cycle of streams rather than closing it, which only naming each use of
// a channel in its frames would.
func (l *Link) freeChannel() int {
	n := min(l.cfg.Streams, int(l.sync.peer.streams))
	for range 2 {
		for c := 1; c <= n; c++ {
			if l.chans[c] == chanFree && l.owedRST&(1<<c) == 0 {
				return c
			}
		}
		recycled := false
		for c := 1; c <= n; c++ {
			if l.chans[c] == chanFreed {
				l.chans[c], recycled = chanFree, true
			}
		}
		if !recycled {
			break
		}
	}
	return -1
}

// Accept waits for the peer to open a stream.
func (l *Link) Accept() (*Stream, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.err == nil && l.acceptN == 0 {
		l.cond.Wait()
	}
	if l.err != nil {
		return nil, l.err
	}
	s := &l.recs[l.accepted[l.acceptAt]]
	l.acceptAt = (l.acceptAt + 1) % len(l.accepted)
	l.acceptN--
	return s, nil
}

// Control returns the control stream (channel 0). It is open whenever the
// link is up, survives peer restarts (its next Read or Write returns
// ErrPeerReset once, so that a message parser can start over), and Close
// on it does nothing.
func (l *Link) Control() *Stream { return &l.recs[0] }

// fill turns owed stream frames (CLOSE, RESET, CREDIT) into sequenced
// frames while the window has room. It runs whenever something becomes
// owed and whenever an ACK frees window room.
func (l *Link) fill() {
	w := &l.send
	if !l.sync.up {
		return
	}
	for ch := uint8(0); ch < maxChannels && l.owedRST != 0 && w.free() > 0; ch++ {
		if l.owedRST&(1<<ch) != 0 {
			l.owedRST &^= 1 << ch
			w.queue(kindReset, ch, nil)
		}
	}
	for i := range l.recs {
		s := &l.recs[i]
		if s.ch < 0 || w.free() == 0 {
			continue
		}
		switch {
		case s.owesReset:
			w.queue(kindReset, uint8(s.ch), nil)
			s.owesReset, s.owesClose, s.sentFin, s.resetSent = false, false, true, true
			s.unmapIfDone()
		case s.owesClose:
			w.queue(kindClose, uint8(s.ch), nil)
			s.owesClose, s.sentFin = false, true
			s.unmapIfDone()
		case s.consumed >= max(1, len(s.buf)/4) && !s.recvFin:
			var inc [2]byte
			n := min(s.consumed, 0xFFFF)
			binary.LittleEndian.PutUint16(inc[:], uint16(n))
			w.queue(kindCredit, uint8(s.ch), inc[:])
			s.consumed -= n
			s.allowance += n
		}
	}
	l.kick()
}
