package broker

import (
	"io"
	"time"
)

// maxSource is the room each connection slot has for the source of its
// stream; longer sources are cut there. The longest IPv6 address in text
// takes 45 bytes.
const maxSource = 64

// slotWait bounds how long a new stream waits for the slot of a stream
// closed for it, by the broker's clock. A closed stream ends its Read at
// once (Close relies on that too), so the wait is normally as short as a
// reader takes to notice.
const slotWait = time.Second

// pendingGrace is how long a pending stream is spared the bound of its
// source (Limits.MaxPendingPerSource): long enough for a client's CONNECT,
// TLS handshake included, to cross a slow link, so that clients behind one
// address that connect at the same moment (a NAT, a test rig, a fleet
// coming back after an outage) are not closed for each other. Streams
// still pending after it are what the bound is for; younger ones are
// bounded by MaxPending.
const pendingGrace = time.Second

// admission is the state of the streams waiting in slot for a
// connection slot to be released. Guarded by b.mu.
type admission struct {
	waiters int   // streams waiting
	until   int64 // when timer is due, ns since epoch; 0 when not armed
	timer   Timer // wakes the waiters to look at their deadlines
}

// slot returns the free connection slot a new stream from source is to
// take, the last in b.freeConn, after closing the pending streams that
// must make room for it: the oldest of its source when that source has
// MaxPendingPerSource pending and that one has been pending for
// pendingGrace, the oldest of all when MaxPending are
// pending or no slot is free. It is called with b.mu held, and releases it
// to close streams and while it waits for their slots.
func (a *admission) slot(b *Broker, source string) (*conn, error) {
	deadline := b.now() + int64(slotWait)
	for {
		if b.closed {
			return nil, ErrClosed
		}
		p := b.pending(source)
		var victim *conn
		var why string
		switch {
		case source != "" && p.ofSource >= b.lim.MaxPendingPerSource && b.now()-p.oldestOfSource.started >= int64(pendingGrace):
			victim, why = p.oldestOfSource, "MaxPendingPerSource"
		case p.n >= b.lim.MaxPending:
			victim, why = p.oldest, "MaxPending"
		case len(b.freeConn) > 0:
			return b.conn(b.freeConn[len(b.freeConn)-1]), nil
		case p.closing > a.waiters:
			// A slot is on its way that no other stream waits for.
		case p.oldest != nil:
			victim, why = p.oldest, "no free slot"
		case p.closing == 0:
			return nil, b.refuseConn()
		}
		if victim != nil {
			rw := b.evict(victim, why)
			b.mu.Unlock()
			rw.Close()
			b.mu.Lock()
			continue
		}
		if !a.wait(b, deadline) {
			return nil, b.refuseConn()
		}
	}
}

// pendingCount is what slot needs to know of the streams being served.
type pendingCount struct {
	n, ofSource            int   // pending streams, and those of the new stream's source
	oldest, oldestOfSource *conn // nil when none
	closing                int   // streams closing, whose slots are on their way
}

// pending counts the pending streams, those whose CONNECT has not been
// accepted and that are not closing, all and of source. It walks the
// pending streams only, not every slot.
func (b *Broker) pending(source string) pendingCount {
	p := pendingCount{n: b.pend.n, closing: b.nclosing}
	if b.pend.head >= 0 {
		p.oldest = &b.conns[b.pend.head]
	}
	if source == "" {
		return p
	}
	for i := b.pend.head; i >= 0; i = b.conns[i].pnext {
		if c := &b.conns[i]; sameSource(c.source(), source) {
			p.ofSource++
			if p.oldestOfSource == nil {
				p.oldestOfSource = c
			}
		}
	}
	return p
}

// A pendingList chains the pending streams through conn.pprev and pnext
// in the order they came, the oldest first. Guarded by b.mu.
type pendingList struct {
	head, tail int32 // -1 when empty
	n          int
}

// add appends c, which has just come.
func (l *pendingList) add(b *Broker, c *conn) {
	c.pprev, c.pnext, c.pending = l.tail, -1, true
	if l.tail >= 0 {
		b.conns[l.tail].pnext = c.idx
	} else {
		l.head = c.idx
	}
	l.tail = c.idx
	l.n++
}

// remove unlinks c, if it is pending.
func (l *pendingList) remove(b *Broker, c *conn) {
	if !c.pending {
		return
	}
	if c.pprev >= 0 {
		b.conns[c.pprev].pnext = c.pnext
	} else {
		l.head = c.pnext
	}
	if c.pnext >= 0 {
		b.conns[c.pnext].pprev = c.pprev
	} else {
		l.tail = c.pprev
	}
	c.pending = false
	l.n--
}

// wait waits, with b.mu held, for a connection slot to be released or
// until deadline; it reports false, without waiting, once deadline has
// passed. One timer serves every waiter: it is armed for the earliest
// deadline, and waiters whose deadline is later arm it again.
func (a *admission) wait(b *Broker, deadline int64) bool {
	now := b.now()
	if now >= deadline {
		return false
	}
	if a.until == 0 || a.until > deadline {
		a.until = deadline
		if a.timer == nil {
			a.timer = b.clock.AfterFunc(time.Duration(deadline-now), b.admitTimeout)
		} else {
			a.timer.Reset(time.Duration(deadline - now))
		}
	}
	a.waiters++
	b.drainedCond.Wait()
	a.waiters--
	return true
}

// admitTimeout wakes the streams waiting for a slot to look at the time;
// like waitTimeout, it decides nothing itself.
func (b *Broker) admitTimeout() {
	b.mu.Lock()
	if b.now() >= b.admit.until {
		b.admit.until = 0
	}
	b.drainedCond.Broadcast()
	b.mu.Unlock()
}

// refuseConn counts and reports a stream refused for want of a slot.
func (b *Broker) refuseConn() error {
	b.stats.connectionsRefused++
	if missed, ok := b.due(noticeConnectionCap); ok {
		b.logf("broker: refused a connection: no free connection slot of %d, none pending%s", b.lim.MaxConnections, alsoMissed(missed))
	}
	return ErrTooManyConnections
}

// evict closes the pending stream c to make room for a new one, as the
// limit why says; the caller closes the returned stream after unlocking.
func (b *Broker) evict(c *conn, why string) io.Closer {
	b.stats.pendingEvicted++
	if missed, ok := b.due(noticePendingCap); ok {
		b.logf("broker: closed the connection from %s, %v without CONNECT, to make room for a new one (%s)%s",
			sourceName(c.source()), time.Duration(b.now()-c.started), why, alsoMissed(missed))
	}
	return c.markClosing(ErrPendingEvicted)
}

// sourceName is a source for a log line.
func sourceName(source []byte) string {
	if len(source) == 0 {
		return "an unknown source"
	}
	return string(source)
}

// sameSource reports whether a slot's source is s, without converting
// either (which TinyGo may allocate for).
func sameSource(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		if b[i] != s[i] {
			return false
		}
	}
	return true
}
