package link

import (
	"encoding/binary"
	"time"
)

// txState is where a sequenced frame is in its life.
type txState uint8

const (
	txFree     txState = iota
	txQueued           // waiting for its first transmission
	txInflight         // sent, not acknowledged
	txLost             // to be sent again
	txAcked            // acknowledged out of order, waiting for the frames before it
)

// txSlot holds one sequenced frame (without its CRC) until it is
// acknowledged.
type txSlot struct {
	buf    []byte
	n      int
	state  txState
	resent bool
	order  uint32        // transmission number of its latest transmission
	sentAt time.Duration // time of its latest transmission
}

// sendWindow numbers outgoing frames and keeps them for retransmission.
// Frames base..next-1 are unacknowledged; the window is the smaller of
// this side's and the peer's.
type sendWindow struct {
	slots      []txSlot
	base, next uint8
	window     int // frames the peer can hold: min(ours, its)
	maxPayload int // largest payload the peer accepts: min(ours, its)
	payload    int // current payload size, between MinPayload and maxPayload

	order      uint32 // transmissions so far
	ackedOrder uint32 // highest transmission number known received

	srtt, rttvar, rto time.Duration
	minRTO, maxRTO    time.Duration
	ackPending        bool // the peer is owed an ACK
}

func (w *sendWindow) init(cfg *Config, frames []byte) {
	fc := cfg.frameCap()
	w.slots = make([]txSlot, cfg.Window)
	for i := range w.slots {
		w.slots[i].buf = frames[i*fc : (i+1)*fc]
	}
	w.minRTO, w.maxRTO = cfg.MinRTO, cfg.MaxRTO
}

// restart empties the window for a new peer run.
func (w *sendWindow) restart(window, maxPayload int) {
	for i := range w.slots {
		w.slots[i].state, w.slots[i].n = txFree, 0
	}
	w.base, w.next = 0, 0
	// Frames start small and grow while the line carries them: a frame
	// already numbered cannot be cut down, and a long one that a noisy
	// line keeps corrupting holds the window for many retransmissions.
	w.window, w.maxPayload, w.payload = window, maxPayload, min(maxPayload, 2*MinPayload)
	w.order, w.ackedOrder = 0, 0
	w.srtt, w.rttvar, w.rto = 0, 0, w.minRTO*4
	w.ackPending = false
}

func (w *sendWindow) used() int { return int(w.next - w.base) }

// unsent counts the frames queued and not yet sent once.
func (w *sendWindow) unsent() int {
	n := 0
	for seq := w.base; seq != w.next; seq++ {
		if w.slot(seq).state == txQueued {
			n++
		}
	}
	return n
}
func (w *sendWindow) free() int              { return w.window - w.used() }
func (w *sendWindow) slot(seq uint8) *txSlot { return &w.slots[int(seq)%len(w.slots)] }

// queue numbers a frame of kind k on channel ch with payload p; the caller
// has checked that the window has room.
func (w *sendWindow) queue(k kind, ch uint8, p []byte) {
	seq := w.next
	s := w.slot(seq)
	h := header(k, ch, seq)
	s.n = copy(s.buf, h[:])
	s.n += copy(s.buf[s.n:], p)
	s.state, s.resent = txQueued, false
	w.next++
}

// acknowledge applies an ACK: every frame before next is received, and so
// is next+1+i for each bit i of sack. It reports whether frames were
// found lost, and false in ok when the ACK names frames never sent.
func (w *sendWindow) acknowledge(next uint8, sack uint32, now time.Duration) (lost int, ok bool) {
	if int(next-w.base) > w.used() {
		return 0, false
	}
	progress := next != w.base
	for w.base != next {
		s := w.slot(w.base)
		if s.state != txAcked {
			w.received(s, now)
		}
		s.state, s.n = txFree, 0
		w.base++
	}
	for i := 0; i < 32 && sack != 0; i++ {
		if sack&(1<<i) == 0 {
			continue
		}
		seq := next + 1 + uint8(i)
		if int(seq-w.base) >= w.used() {
			return 0, false
		}
		if s := w.slot(seq); s.state == txInflight || s.state == txLost {
			w.received(s, now)
			s.state = txAcked
		}
	}
	// The line keeps order, so a frame sent before one that arrived and
	// not acknowledged itself is lost: resend it now, not at its timeout.
	for seq := w.base; seq != w.next; seq++ {
		if s := w.slot(seq); s.state == txInflight && s.order < w.ackedOrder {
			s.state = txLost
			lost++
		}
	}
	if progress && w.srtt > 0 {
		w.rto = w.computeRTO()
	}
	if lost > 0 {
		w.shrink()
	}
	return lost, true
}

// received records the acknowledgement of one frame: an RTT sample when it
// was sent once (Karn's rule), and a little growth of the frame size.
func (w *sendWindow) received(s *txSlot, now time.Duration) {
	if s.order > w.ackedOrder {
		w.ackedOrder = s.order
	}
	if s.resent {
		return
	}
	w.sampleRTT(now - s.sentAt)
	if w.payload < w.maxPayload {
		w.payload = min(w.maxPayload, w.payload+2)
	}
}

// shrink reduces the frame size after a loss: on a line that corrupts a
// share of its bytes, shorter frames are hit less often. Together with the
// growth in received it settles near the size that carries the most
// payload for the line's error rate.
func (w *sendWindow) shrink() {
	w.payload = max(MinPayload, w.payload*3/4)
}

// sampleRTT updates the round-trip estimate as RFC 6298 does.
func (w *sendWindow) sampleRTT(r time.Duration) {
	if w.srtt == 0 {
		w.srtt, w.rttvar = r, r/2
	} else {
		d := w.srtt - r
		if d < 0 {
			d = -d
		}
		w.rttvar = (3*w.rttvar + d) / 4
		w.srtt = (7*w.srtt + r) / 8
	}
	w.rto = w.computeRTO()
}

func (w *sendWindow) computeRTO() time.Duration {
	return min(w.maxRTO, max(w.minRTO, w.srtt+4*w.rttvar))
}

// timeout marks lost every frame whose retransmission timeout has passed,
// and reports whether any had. When it fires, the line has gone quiet with
// frames unacknowledged — the last frames of a burst, or their ACKs, were
// lost — so all of them go again at once. The timeout backs off to at most
// four times its estimate: a serial line is not congested, it only loses
// bytes, and waiting longer would not help the next try get through.
func (w *sendWindow) timeout(now time.Duration) (fired bool) {
	for seq := w.base; seq != w.next; seq++ {
		s := w.slot(seq)
		if s.state != txInflight || s.sentAt+w.rto > now {
			continue
		}
		s.state = txLost
		fired = true
	}
	if fired {
		w.rto = min(w.maxRTO, 2*w.rto, 4*w.computeRTO())
		w.shrink()
	}
	return fired
}

// nextToSend returns the lowest-numbered frame that is lost, or failing
// that queued, or nil.
func (w *sendWindow) nextToSend() *txSlot {
	var queued *txSlot
	for seq := w.base; seq != w.next; seq++ {
		s := w.slot(seq)
		if s.state == txLost {
			return s
		}
		if s.state == txQueued && queued == nil {
			queued = s
		}
	}
	return queued
}

// sendLoop is the only writer of the line. It sends, in this order: SYNC
// when owed, an ACK when owed, lost frames, new frames; then sleeps until
// woken or until the next tick.
//
// Timeouts are looked at on the ticks of a ticker that runs as long as the
// link, every tickInterval, rather than by a timer set to the next one:
// under TinyGo every Timer.Reset allocates, and the loop sleeps after
// nearly every frame. A timeout is thus seen up to one tick late.
func (l *Link) sendLoop() {
	frame := make([]byte, 0, l.cfg.frameCap())
	out := make([]byte, 0, cobsMaxLen(l.cfg.frameCap())+1)
	tick := time.NewTicker(l.cfg.tickInterval())
	defer tick.Stop()
	for {
		l.mu.Lock()
		f := l.nextFrame(frame[:0])
		if f != nil {
			out = append(cobsEncode(out[:0], sealFrame(f)), 0)
			l.stats.BytesSent += uint64(len(out))
		}
		l.mu.Unlock()
		if f != nil {
			if _, err := l.line.Write(out); err != nil {
				l.fail(err)
				return
			}
			continue
		}
		select {
		case <-l.wake:
		case <-tick.C:
		case <-l.done:
			return
		}
	}
}

// nextFrame builds the next frame to send into f, or returns nil when
// there is nothing to send before the next tick.
func (l *Link) nextFrame(f []byte) []byte {
	if l.err != nil {
		return nil
	}
	now := l.now()
	if f := l.sync.frame(f, now); f != nil || !l.sync.up {
		if f != nil {
			l.stats.FramesSent++
		}
		return f
	}
	w := &l.send
	if w.ackPending {
		w.ackPending = false
		l.stats.FramesSent++
		return l.recv.appendAck(f)
	}
	for {
		if s := w.nextToSend(); s != nil {
			if s.state == txLost {
				s.resent = true
				l.stats.Retransmits++
			} else {
				l.cond.Broadcast() // a writer may frame the next bytes
			}
			w.order++
			s.order, s.sentAt, s.state = w.order, now, txInflight
			l.stats.FramesSent++
			return append(f, s.buf[:s.n]...)
		}
		if !w.timeout(now) {
			return nil
		}
		l.stats.Timeouts++
	}
}

// appendAck appends an ACK frame: the next expected sequence number and
// which of the 32 after it are already held.
func (r *recvWindow) appendAck(f []byte) []byte {
	h := header(kindAck, 0, r.expected)
	f = append(f, h[:]...)
	return binary.LittleEndian.AppendUint32(f, r.sack())
}
