package link

import "encoding/binary"

// rxSlot holds a frame that arrived ahead of a gap.
type rxSlot struct {
	buf  []byte
	n    int
	held bool
}

// recvWindow puts sequenced frames back in order. expected is the next
// sequence number to deliver; frames up to window-1 beyond it are held.
type recvWindow struct {
	slots    []rxSlot
	expected uint8
}

func (r *recvWindow) init(cfg *Config, frames []byte) {
	fc := cfg.frameCap()
	r.slots = make([]rxSlot, cfg.Window)
	for i := range r.slots {
		r.slots[i].buf = frames[i*fc : (i+1)*fc]
	}
}

func (r *recvWindow) restart() {
	for i := range r.slots {
		r.slots[i].held = false
	}
	r.expected = 0
}

func (r *recvWindow) slot(seq uint8) *rxSlot { return &r.slots[int(seq)%len(r.slots)] }

// sack has bit i set when frame expected+1+i is held.
func (r *recvWindow) sack() uint32 {
	var m uint32
	for i := 1; i < len(r.slots); i++ {
		if r.slot(r.expected + uint8(i)).held {
			m |= 1 << (i - 1)
		}
	}
	return m
}

// recvLoop is the only reader of the line: it cuts the byte stream into
// frames at zero bytes and hands each to receive. It never writes to the
// line, so that two peers blocked writing cannot stop each other reading.
func (l *Link) recvLoop() {
	chunk := make([]byte, readChunk)
	acc := make([]byte, 0, cobsMaxLen(l.cfg.frameCap()))
	overflow := false
	for {
		n, err := l.line.Read(chunk)
		l.mu.Lock()
		l.stats.BytesReceived += uint64(n)
		for _, c := range chunk[:n] {
			if c != 0 {
				if len(acc) == cap(acc) {
					overflow = true
				} else {
					acc = append(acc, c)
				}
				continue
			}
			switch {
			case overflow:
				l.stats.Oversized++
			case len(acc) > 0:
				l.receive(acc)
			}
			acc, overflow = acc[:0], false
		}
		if l.send.ackPending {
			l.kick()
		}
		l.mu.Unlock()
		if err != nil {
			l.fail(err)
			return
		}
	}
}

// receive checks and dispatches one COBS-encoded frame.
func (l *Link) receive(enc []byte) {
	dec, ok := cobsDecode(enc)
	if !ok {
		l.stats.Malformed++
		return
	}
	f, err := openFrame(dec)
	if err != nil {
		if err == errBadCRC {
			l.stats.BadCRC++
		} else {
			l.stats.Malformed++
		}
		return
	}
	l.stats.FramesReceived++
	switch k := frameKind(f); {
	case k == kindSync:
		l.receiveSync(f)
	case !l.sync.up:
		l.stats.NotSynced++
	case k == kindAck:
		l.receiveAck(f)
	case k.sequenced():
		l.receiveSequenced(f)
	default:
		l.stats.Malformed++
	}
}

func (l *Link) receiveAck(f []byte) {
	if len(f) != ackLen {
		l.stats.Malformed++
		return
	}
	freed := l.send.used()
	_, ok := l.send.acknowledge(f[1], binary.LittleEndian.Uint32(f[2:]), l.now())
	if !ok {
		l.stats.BadAcks++
		return
	}
	if l.send.used() < freed {
		l.fill()
		l.cond.Broadcast()
	}
	l.kick()
}

// receiveSequenced puts a numbered frame in order and delivers what has
// become deliverable. Every numbered frame, new or not, is answered with
// an ACK, so a lost ACK costs one retransmission at most.
func (l *Link) receiveSequenced(f []byte) {
	r := &l.recv
	l.send.ackPending = true
	d := f[1] - r.expected
	switch {
	case d >= 128:
		l.stats.Duplicates++
		return
	case int(d) >= len(r.slots):
		l.stats.WindowOverflows++
		return
	case d > 0:
		s := r.slot(f[1])
		if s.held {
			l.stats.Duplicates++
			return
		}
		s.n, s.held = copy(s.buf, f), true
		return
	}
	l.deliver(f)
	r.expected++
	for {
		s := r.slot(r.expected)
		if !s.held {
			return
		}
		s.held = false
		l.deliver(s.buf[:s.n])
		r.expected++
	}
}

// deliver acts on one in-order frame.
func (l *Link) deliver(f []byte) {
	k, ch, body := frameKind(f), frameChannel(f), f[headerLen:]
	if k == kindOpen {
		l.peerOpened(ch)
		return
	}
	s := l.mapped(ch)
	if s == nil {
		l.stats.UnknownChannel++
		if k != kindReset {
			l.owe(ch)
		}
		return
	}
	switch k {
	case kindData:
		s.received(body)
	case kindClose:
		s.peerClosed(nil)
	case kindReset:
		s.peerClosed(ErrReset)
	case kindCredit:
		if len(body) != 2 {
			l.stats.Malformed++
			return
		}
		s.credit += int(binary.LittleEndian.Uint16(body))
		l.cond.Broadcast()
	}
}
