package link

import "time"

// syncState is the link's start-up handshake. Each side names its run
// with an epoch and sends SYNC frames until the peer has echoed that
// epoch back; a SYNC carrying a new epoch from a peer that was up means
// the peer restarted, and every stream is reset.
//
//	A: SYNC{epoch a, peer 0, not up}   → B learns a, replies
//	B: SYNC{epoch b, peer a, not up}   → A learns b and is up, replies
//	A: SYNC{epoch a, peer b, up}       → B is up; no reply to an up SYNC
//
// A lost SYNC is repeated every SyncInterval by a side that is not up.
type syncState struct {
	own       syncParams
	peer      syncParams
	known     bool // peer epoch learnt
	up        bool // the peer echoed our epoch
	replyOwed bool
	interval  time.Duration
	lastSent  time.Duration
	sent      bool
}

func (s *syncState) init(cfg *Config) {
	s.own = syncParams{
		epoch:        cfg.Epoch,
		version:      protocolVersion,
		window:       uint8(cfg.Window),
		maxPayload:   uint16(cfg.MaxPayload),
		streams:      uint8(cfg.Streams),
		streamBuffer: uint16(cfg.StreamBuffer),
	}
	s.interval = cfg.SyncInterval
}

// frame returns a SYNC to send now, or nil.
func (s *syncState) frame(f []byte, now time.Duration) []byte {
	if !s.replyOwed && (s.up || (s.sent && now < s.lastSent+s.interval)) {
		return nil
	}
	s.replyOwed, s.sent, s.lastSent = false, true, now
	s.own.up = s.up
	h := header(kindSync, 0, 0)
	return s.own.append(append(f, h[:]...))
}

// receiveSync runs the handshake on a SYNC frame.
func (l *Link) receiveSync(f []byte) {
	var p syncParams
	if !p.parse(f[headerLen:]) || p.epoch == 0 || p.window == 0 ||
		p.maxPayload < MinPayload || p.streamBuffer == 0 {
		l.stats.Malformed++
		return
	}
	if p.version != protocolVersion {
		l.failLocked(ErrVersion)
		return
	}
	s := &l.sync
	if !s.known || p.epoch != s.peer.epoch {
		if s.up {
			l.stats.PeerResets++
			l.peerRestarted()
		}
		s.up, s.known, s.peer = false, true, p
		s.own.peerEpoch = p.epoch
		s.replyOwed = true
	}
	if !p.up {
		s.replyOwed = true
	}
	if !s.up && p.peerEpoch == s.own.epoch {
		s.up = true
		l.send.restart(min(l.cfg.Window, int(p.window)), min(l.cfg.MaxPayload, int(p.maxPayload)))
		l.recv.restart()
		ctl := &l.recs[0]
		l.bind(ctl, 0)
		l.cond.Broadcast()
	}
	l.kick()
}

// peerRestarted resets every stream: their peer is gone. Streams the
// application holds fail with ErrPeerReset until it closes them; streams
// not yet accepted are dropped.
func (l *Link) peerRestarted() {
	for l.acceptN > 0 {
		s := &l.recs[l.accepted[l.acceptAt]]
		s.local = true
		l.acceptAt = (l.acceptAt + 1) % len(l.accepted)
		l.acceptN--
	}
	for i := range l.recs {
		s := &l.recs[i]
		if s.ch >= 0 {
			l.chans[s.ch] = chanFree
			s.ch = -1
		}
		s.head, s.n = 0, 0
		s.owesClose, s.owesReset = false, false
		if i == 0 {
			s.notice = ErrPeerReset
		} else if s.inUse && s.err == nil {
			s.err = ErrPeerReset
		}
		s.release()
		s.wake()
	}
	l.owedRST = 0
	l.cond.Broadcast()
}
