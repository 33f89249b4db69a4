package broker

import (
	"errors"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// A conn is a slot for one byte stream: its decoder, the read buffer and
// two outbox buffers it borrows while it has bytes in them, and the
// signals between its reader (the goroutine of ServeConn, or a worker for
// an event stream) and its writer, a worker started while the outbox has
// bytes. Slots are made by New and reused.
type conn struct {
	b  *Broker
	rd *reader            // reader only: lent while bytes wait to be parsed, see lendReader
	rw io.ReadWriteCloser // guarded by b.mu

	// serial orders the streams by arrival; guarded by b.mu.
	serial uint64
	// out holds encoded packets for the writer; it is guarded by b.mu and
	// never grows past its capacity. spare is the buffer being written,
	// owned by the writer. Both are borrowed from b.outboxes (see room)
	// and given back when the writer has written everything.
	out, spare []byte

	closeErr   error         // guarded by b.mu: why, when not the reader's own error
	flushUntil int64         // guarded by b.mu: when the flush is given up, ns since epoch
	sess       *session      // guarded by b.mu: nil before CONNECT and after takeover
	started    int64         // guarded by b.mu: when the stream arrived, ns since epoch
	dogAt      int64         // guarded by b.mu: its next deadline, ns since epoch; see watchdog
	dogPos     int32         // guarded by b.mu: in b.dog.heap, -1 when it has no deadline
	keepAlive  time.Duration // guarded by b.mu: 1.5 × keep alive, 0 for none
	lastRead   atomic.Int64  // when the last packet arrived, ns since epoch

	sig       signals // sigRoom, sigTick, sigDone
	rateTimer Timer
	waitTimer Timer // wakes the reader at waitUntil
	// waitUntil, guarded by b.mu, is when the reader has waited long
	// enough for a congested subscriber or a taken over connection, in ns
	// since epoch. A deadline rather than a flag set by waitTimer: a
	// timer that fires as one wait ends may run its callback after the
	// next wait has begun, and must not end that one.
	waitUntil int64

	idx          int32
	user         int32 // reader only: index of the logged-in user in Broker.names, -1 for none
	pprev, pnext int32 // in b.pend, see pending
	// srcLen is the length of the stream's source (see ServeConnFrom and
	// source); guarded by b.mu.
	srcLen uint8

	active       bool // guarded by b.mu: serving a stream
	closing      bool // guarded by b.mu: the stream is being closed
	flushing     bool // guarded by b.mu: closing, but the writer writes out first
	connected    bool // guarded by b.mu: CONNECT accepted
	disconnected bool // DISCONNECT received; reader only
	writing      bool // guarded by b.mu: a writer runs, and looks at out before it stops
	owed         bool // guarded by b.mu: the reader is to write out itself; see reply
	reading      bool // guarded by b.mu: an event stream's reader runs
	accepted     bool // reader only: CONNECT accepted
	events       bool // rw is an EventStream served by ServeEvents
	// pending, guarded by b.mu, says the stream is in b.pend: active, its
	// CONNECT not accepted, not closing.
	pending bool
}

// source returns where the stream comes from, at most maxSource bytes
// kept in the slot's part of the tables. b.mu is held.
func (c *conn) source() []byte {
	at := int(c.idx) * maxSource
	return c.b.slots.sources[at : at+int(c.srcLen)]
}

// A signal wakes a goroutine that waits for it. Each is like a channel of
// capacity one sent to without blocking: raising a raised signal does
// nothing, and waiting blocks until the signal is raised, then lowers it.
type signal uint8

const (
	sigWake signal = 1 << iota // to a writer or dispatcher: there is work, or closing
	sigRoom                    // to the reader: out has room again, or closing
	sigTick                    // to the reader: the rate limit wait is over, or closing
	sigDone                    // from a writer or the dispatcher: it has stopped
	sigQuit                    // to the dispatcher: return
)

// signals are the signals of one connection or of the in-process client.
// Unlike channels they live in the structure that owns them, so New makes
// no allocation for them. One condition variable serves them all: raise
// wakes every waiter, and each looks at its own signals. Waiters hold no
// other lock, and raise may be called with b.mu held.
type signals struct {
	mu   sync.Mutex
	cond sync.Cond
	up   signal
}

func (s *signals) init() { s.cond.L = &s.mu }

// raise raises the signals in which.
func (s *signals) raise(which signal) {
	s.mu.Lock()
	if s.up&which != which {
		s.up |= which
		s.cond.Broadcast()
	}
	s.mu.Unlock()
}

// wait waits until one of the signals in which is raised, lowers those of
// them that are and returns them.
func (s *signals) wait(which signal) signal {
	s.mu.Lock()
	for s.up&which == 0 {
		s.cond.Wait()
	}
	got := s.up & which
	s.up &^= got
	s.mu.Unlock()
	return got
}

// lower lowers the signals in which.
func (s *signals) lower(which signal) {
	s.mu.Lock()
	s.up &^= which
	s.mu.Unlock()
}

// kick makes sure a writer will write what out holds: it starts one
// unless one runs, since a running writer looks at out again before it
// stops. b.mu is held.
func (c *conn) kick() {
	if c.writing || !c.active {
		return
	}
	c.writing = true
	c.b.workers.run(task{c: c, write: true})
}

// reply makes sure the replies the reader has put in out get written.
// The reader of an event stream writes them itself once it has read all
// there is (writeOwed), a burst of acknowledgements in one write and no
// writer to start for it; it owes them until then, and pays before it
// waits for anything (payOwed). Other readers start a writer. b.mu is
// held.
func (c *conn) reply() {
	if c.events && c.reading && !c.writing {
		c.owed = true
		return
	}
	c.kick()
}

// payOwed starts a writer for the replies the reader owes, before it
// waits or ends. b.mu is held.
func (c *conn) payOwed() {
	if c.owed {
		c.owed = false
		c.kick()
	}
}

// writeOwed writes the replies the reader owes, on the reader's
// goroutine, as a writer started for them would.
func (c *conn) writeOwed() {
	b := c.b
	b.mu.Lock()
	owed := c.owed && !c.writing && c.active
	c.owed = false
	if owed {
		c.writing = true
	}
	b.mu.Unlock()
	if owed {
		c.writeOut()
	}
}

// room reports how many bytes out can take, borrowing an outbox first if
// the connection holds none. b.mu is held.
func (c *conn) room() int {
	if c.out == nil {
		c.out = c.b.outboxes.get()
	}
	return cap(c.out) - len(c.out)
}

// lendReader lends c a reader, with its read buffer and decoder, which it
// holds while it has bytes to parse. b.mu is held.
func (c *conn) lendReader() { c.rd = c.b.readers.get(c.rw) }

// takeReader takes back the reader lendReader lent, if c holds it. b.mu
// is held, and the reader has no bytes buffered.
func (c *conn) takeReader() {
	if c.rd != nil {
		c.b.readers.put(c.rd)
		c.rd = nil
	}
}

// markClosing records why the stream ends and wakes everyone waiting on
// it, including the reader of an event stream, which ends the connection;
// the caller, holding b.mu, closes the returned stream after unlocking,
// since closing may block.
func (c *conn) markClosing(why error) io.Closer {
	if !c.closing {
		c.closing = true
		c.closeErr = why
		c.b.pend.remove(c.b, c)
		if c.active {
			c.b.nclosing++
		}
	}
	c.startReader()
	c.sig.raise(sigRoom | sigTick)
	c.b.drainedCond.Broadcast()
	return c.rw
}

// ServeConn serves one client on rw until the connection ends, and closes
// rw. It returns nil when the client ended with DISCONNECT, and otherwise
// an error saying why the connection ended. It is safe to call from many
// goroutines at once, one per stream. It is ServeConnFrom with no source.
func (b *Broker) ServeConn(rw io.ReadWriteCloser) error {
	return b.ServeConnFrom(rw, "")
}

// ServeConnFrom is ServeConn for a stream from source, the address of the
// client's host without port, such as "192.0.2.7" or "2001:db8::1"
// (package listen passes the remote host of each TCP connection). The
// broker has no network of its own, so it learns sources only this way.
// Pending streams are bounded per source (Limits.MaxPendingPerSource),
// failed logins are throttled and logged per source, and notices name
// it. Sources longer than 64 bytes are cut there. An empty source means
// unknown: such streams are bounded by MaxPending alone, and all count as
// one source for the login throttle.
func (b *Broker) ServeConnFrom(rw io.ReadWriteCloser, source string) error {
	c, err := b.acquireConn(rw, source)
	if err != nil {
		rw.Close()
		return err
	}
	err, _ = c.readPackets()
	b.releaseConn(c)
	return err
}

// acquireConn finds rw a connection slot, closing pending streams to make
// room as Limits.MaxPending and MaxPendingPerSource say, and waiting for
// the slot of one it closed when none is free.
func (b *Broker) acquireConn(rw io.ReadWriteCloser, source string) (*conn, error) {
	source = source[:min(len(source), maxSource)]
	b.mu.Lock()
	c, err := b.admit.slot(b, source)
	if err != nil {
		b.mu.Unlock()
		return nil, err
	}
	defer b.mu.Unlock()
	b.freeConn = b.freeConn[:len(b.freeConn)-1]
	b.nconn++
	b.stats.connectionsTotal++
	b.serving.Add(1)

	c.rw = rw
	c.srcLen = uint8(copy(b.slots.sources[int(c.idx)*maxSource:][:maxSource], source))
	c.serial = b.stats.connectionsTotal
	c.active, c.closing, c.closeErr, c.flushing = true, false, nil, false
	c.connected, c.disconnected, c.accepted, c.sess = false, false, false, nil
	c.events, c.reading, c.writing, c.owed = false, false, false, false
	c.keepAlive = 0
	c.user = -1
	c.started = b.now()
	c.lastRead.Store(c.started)
	c.sig.lower(sigRoom | sigTick | sigDone)
	c.lendReader()
	b.pend.add(b, c)
	c.setDog(b.lim.ConnectTimeout)
	return c, nil
}

// releaseConn frees c's slot once its writer has stopped, and takes back
// the buffers it holds.
func (b *Broker) releaseConn(c *conn) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for c.writing {
		b.mu.Unlock()
		c.sig.wait(sigDone)
		b.mu.Lock()
	}
	c.takeReader()
	b.outboxes.put(c.out)
	b.outboxes.put(c.spare)
	c.out, c.spare = nil, nil
	c.stopDog()
	if c.rateTimer != nil {
		c.rateTimer.Stop()
	}
	if c.waitTimer != nil {
		c.waitTimer.Stop()
	}
	b.pend.remove(b, c)
	if c.closing {
		b.nclosing--
	}
	c.active = false
	c.rw = nil
	b.freeConn = append(b.freeConn, c.idx)
	b.nconn--
	b.serving.Done()
	if b.admit.waiters > 0 {
		b.drainedCond.Broadcast()
	}
}

// readPackets is the reader: it reads and handles packets until the
// stream ends, and reports why with ended true; or, for an event stream,
// until it has no more bytes for now, and reports ended false: the
// reader has parked, and the stream's next event starts it again.
func (c *conn) readPackets() (err error, ended bool) {
	b := c.b
	for {
		p, err := c.rd.rd.ReadPacket()
		if err != nil {
			if c.events && errors.Is(err, ErrWouldBlock) {
				c.writeOwed()
				if l, ok := c.rw.(Lingerer); ok && c.linger(l) {
					continue
				}
				if c.park() {
					return nil, false
				}
				return c.end(nil), true
			}
			if c.accepted {
				return c.endFlushed(c.readError(err)), true
			}
			return c.end(c.readError(err)), true
		}
		c.lastRead.Store(b.now())
		b.bytesIn.Add(uint64(c.rd.rd.LastSize()))
		if c.accepted {
			if err := c.handle(p); err != nil {
				return c.endFlushed(err), true
			}
			continue
		}
		cp, ok := p.(*packet.Connect)
		if !ok {
			return c.end(because(ErrProtocol, "first packet is "+p.Type().String()+", not CONNECT", nil)), true
		}
		if code := b.connect(c, cp); code != packet.Accepted {
			// The refusal is written here, before any writer runs.
			c.rw.Write([]byte{byte(packet.CONNACK) << 4, 2, 0, byte(code)})
			return c.end(because(ErrRefused, "CONNACK "+strconv.Itoa(int(code)), nil)), true
		}
		c.accepted = true
	}
}

// flushTimeout bounds how long a connection that ends by the reader's
// error waits for its writer to write out what it was answered before,
// such as the CONNACK of a CONNECT followed by garbage in one segment.
const flushTimeout = time.Second

// endFlushed is end for a reader that ends while its writer runs: what
// the outbox holds, answers to the packets before the one that ended the
// connection, is written before the stream is closed, as mosquitto does,
// unless something else closes it first or the client does not take it
// within flushTimeout.
func (c *conn) endFlushed(readErr error) error {
	b := c.b
	b.mu.Lock()
	if !c.closing {
		c.flushing = true
		c.flushUntil = b.now() + int64(flushTimeout)
		c.setDog(flushTimeout)
	}
	c.payOwed()
	b.mu.Unlock()
	return c.end(readErr)
}

// readError classifies an error of ReadPacket.
func (c *conn) readError(err error) error {
	var pe *packet.Error
	switch {
	case errors.As(err, &pe) && errors.Is(err, packet.ErrPacketTooLarge):
		return because(ErrLimit, "", err)
	case errors.As(err, &pe):
		if errors.Is(err, packet.ErrProtocolLevel) {
			// MQTT-3.1.2-2: answer an unsupported level with CONNACK 1.
			c.b.mu.Lock()
			first := !c.connected && !c.closing
			c.b.mu.Unlock()
			if first {
				c.rw.Write([]byte{byte(packet.CONNACK) << 4, 2, 0, byte(packet.RefusedProtocolVersion)})
				return because(ErrRefused, "CONNACK 1", err)
			}
		}
		return because(ErrProtocol, "", err)
	}
	return err
}

// end closes the stream and settles the session: the will is published
// unless the client sent DISCONNECT, and a clean session is dropped. It
// returns the reason the connection ended, nil after DISCONNECT.
func (c *conn) end(readErr error) error {
	b := c.b
	b.mu.Lock()
	rw := c.markClosing(readErr)
	why := c.closeErr
	if c.disconnected {
		why = nil
	}
	if s := c.sess; s != nil {
		c.sess = nil
		s.conn = nil
		if s.waiters > 0 {
			b.drainedCond.Broadcast()
		}
		if c.disconnected {
			s.willFlag = false
		} else {
			b.publishWill(s)
		}
		if s.clean {
			b.dropSession(s)
		} else {
			b.goOffline(s)
		}
	}
	switch {
	case errors.Is(why, ErrRefused):
		b.stats.connectionsRefused++
	case errors.Is(why, ErrProtocol), errors.Is(why, ErrLimit):
		b.stats.protocolErrors++
	}
	flushing := c.flushing
	// A pending stream closed for a newer one has its own notice.
	var missed uint64
	logIt := why != nil && !errors.Is(why, ErrPendingEvicted)
	if logIt {
		missed, logIt = b.due(noticeConnectionEnded)
	}
	b.mu.Unlock()
	if flushing {
		// The writer stops once the outbox is written.
		c.waitWriter()
	}
	rw.Close()
	if logIt {
		b.logf("broker: connection from %s ended: %v%s", sourceName(c.source()), why, alsoMissed(missed))
	}
	return why
}

// writeOut is the writer: it writes the outbox until it is empty or the
// stream closes. Swapping the two buffers under the lock lets routing fill
// one while the other is written, so a busy subscriber gets many packets
// per write.
func (c *conn) writeOut() {
	b := c.b
	for {
		b.mu.Lock()
		if c.closing && (!c.flushing || len(c.out) == 0) {
			c.stopWriting()
			b.mu.Unlock()
			return
		}
		if s := c.sess; s != nil {
			b.pump(s)
		}
		if len(c.out) == 0 {
			c.stopWriting()
			b.mu.Unlock()
			return
		}
		buf, rw := c.out, c.rw
		c.out, c.spare = c.spare, nil
		b.mu.Unlock()
		c.sig.raise(sigRoom)
		n, err := rw.Write(buf)
		b.bytesOut.Add(uint64(n))
		c.spare = buf[:0]
		if err != nil {
			b.mu.Lock()
			closer := c.markClosing(because(nil, "broker: write", err))
			c.stopWriting()
			b.mu.Unlock()
			closer.Close()
			return
		}
	}
}

// stopWriting ends the writer, giving back the outboxes when it has
// written everything. b.mu is held.
func (c *conn) stopWriting() {
	c.writing = false
	if len(c.out) == 0 {
		c.b.outboxes.put(c.out)
		c.out = nil
	}
	c.b.outboxes.put(c.spare)
	c.spare = nil
	c.sig.raise(sigDone)
}

// waitWriter waits until no writer runs.
func (c *conn) waitWriter() {
	b := c.b
	b.mu.Lock()
	for c.writing {
		b.mu.Unlock()
		c.sig.wait(sigDone)
		b.mu.Lock()
	}
	b.mu.Unlock()
}

// waitTimeout wakes the waiters to look at the time, like fireDogs: it
// decides nothing itself, so a late call does no harm.
func (c *conn) waitTimeout() {
	c.b.mu.Lock()
	c.b.drainedCond.Broadcast()
	c.b.mu.Unlock()
}

// startWait sets the deadline of a wait d from now and arms waitTimer;
// the caller, holding b.mu, then waits on drainedCond until its condition
// holds or waitOver, and stops waitTimer.
func (c *conn) startWait(d time.Duration) {
	c.payOwed()
	c.waitUntil = c.b.now() + int64(d)
	if c.waitTimer == nil {
		c.waitTimer = c.b.clock.AfterFunc(d, c.waitTimeout)
	} else {
		c.waitTimer.Reset(d)
	}
}

// waitOver reports whether the deadline set by startWait has passed.
func (c *conn) waitOver() bool { return c.b.now() >= c.waitUntil }
