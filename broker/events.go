package broker

import (
	"errors"
	"io"
)

// ErrWouldBlock is what the Read of an EventStream returns when it has no
// bytes to give now.
var ErrWouldBlock = errors.New("broker: no bytes to read now")

// An EventStream is a byte stream served from readiness events rather
// than by a goroutine blocked in Read (see ServeEvents). Its Read never
// waits: with no bytes to give it returns 0 and ErrWouldBlock. Write may
// block; the broker writes from a goroutine of its own, started while
// there is something to write.
type EventStream interface {
	io.ReadWriteCloser
	// WaitRead arranges for one call of ec.Readable once the stream has
	// bytes to read, has ended, or has failed or been closed. It must
	// not wait itself. An error means it cannot; the broker then closes
	// the stream.
	WaitRead(ec EventConn) error
	// Ended is called once the broker is done with the stream, after
	// closing it, with what ServeConn would have returned.
	Ended(err error)
}

// A Lingerer is an EventStream that can wait a little for bytes on the
// reader's goroutine before the broker parks it: a busy client's next
// packets then cost no trip through the stream's poller. Linger waits at
// most a short while the stream chooses, and reports whether the stream
// has bytes to read, has ended or has failed.
type Lingerer interface {
	Linger() bool
}

// An EventConn is the broker's side of one EventStream: what its poller
// tells when the stream has bytes. A value for a stream that has ended
// is harmless: its connection slot is reused under another serial.
type EventConn struct {
	c      *conn
	serial uint64
}

// Readable tells the broker that the stream has bytes to read, has ended
// or has failed. It does not wait: a goroutine of the broker reads and
// handles the packets, until Read says ErrWouldBlock again.
func (e EventConn) Readable() {
	c := e.c
	b := c.b
	b.mu.Lock()
	if c.active && c.serial == e.serial {
		c.startReader()
	}
	b.mu.Unlock()
}

// ServeEvents serves one client on s as ServeConnFrom would, but from
// readiness events: while the client sends nothing, the connection holds
// neither a goroutine nor a read buffer nor an outbox, only its session.
// It returns at once. An error means that s was refused and closed, and
// that s.Ended will not be called.
func (b *Broker) ServeEvents(s EventStream, source string) error {
	c, err := b.acquireConn(s, source)
	if err != nil {
		s.Close()
		return err
	}
	b.mu.Lock()
	c.events = true
	c.startReader()
	b.mu.Unlock()
	return nil
}

// startReader starts a reader for an event stream unless one runs; b.mu
// is held.
func (c *conn) startReader() {
	if c.reading || !c.events {
		return
	}
	c.reading = true
	c.b.workers.run(task{c: c})
}

// readEvents is the reader of an event stream: it reads and handles the
// packets there are, then waits for the stream's next event without a
// goroutine, or ends the connection.
func (c *conn) readEvents() {
	b := c.b
	if c.rd == nil {
		b.mu.Lock()
		c.lendReader()
		b.mu.Unlock()
	}
	err, ended := c.readPackets()
	if !ended {
		return
	}
	ev := c.rw.(EventStream)
	b.releaseConn(c)
	ev.Ended(err)
}

// linger waits a little for the stream's next bytes (see Lingerer),
// holding no read buffer or decoder meanwhile: many connections linger
// at once when many clients come and go, as one does after its CONNECT.
// It reports whether bytes came, lent a reader again.
func (c *conn) linger(l Lingerer) bool {
	b := c.b
	if c.rd.rd.Buffered() == 0 {
		b.mu.Lock()
		c.takeReader()
		b.mu.Unlock()
	}
	if !l.Linger() {
		return false
	}
	if c.rd == nil {
		b.mu.Lock()
		c.lendReader()
		b.mu.Unlock()
	}
	return true
}

// park lets the reader of an event stream go until its next event. It
// reports false when the connection is closing, which the reader is then
// to end.
func (c *conn) park() bool {
	b := c.b
	b.mu.Lock()
	if c.closing {
		b.mu.Unlock()
		return false
	}
	c.reading = false
	if c.rd != nil && c.rd.rd.Buffered() == 0 {
		c.takeReader()
	}
	ec := EventConn{c, c.serial}
	ev := c.rw.(EventStream)
	b.mu.Unlock()
	if err := ev.WaitRead(ec); err != nil {
		b.mu.Lock()
		closer := c.markClosing(because(nil, "broker: wait for bytes", err))
		b.mu.Unlock()
		closer.Close()
	}
	return true
}
