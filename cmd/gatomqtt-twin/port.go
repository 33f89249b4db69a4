package main

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"sync"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/rfc2217"
)

// A portChip is the board behind the twin's RFC 2217 port: what the host
// does to the port's settings and modem lines, and whether the port is
// there at all (a Pico in BOOTSEL has no serial port).
type portChip interface {
	setBaud(baud int)
	setDTR(on bool)
	setRTS(on bool)
	setLines(dtr, rts bool)
	present() bool
}

// port is the board's serial port served over RFC 2217, one host
// connection at a time, as ser2net serves a board farm's port: the host
// opens it (both modem lines set, as a port's open sets them) and closes
// it (both cleared). What the board writes while no host holds the port
// is lost, as on a real line.
type port struct {
	chip portChip
	log  *log.Logger
	// paced is true for a USB-UART bridge: bytes take the line's time at
	// the host's baud rate, both ways. Over USB they do not.
	paced bool

	toBoard   *io.PipeReader // host → board, read by the board's line pump
	fromHostW *io.PipeWriter

	slot chan struct{} // held by the connection being served

	mu   sync.Mutex
	conn *portConn // the host connection, if any
	baud int       // the host's rate
	// chipBaud is the board's UART rate on a paced line; bytes sent
	// while the two rates differ arrive as noise, which the twin drops.
	chipBaud int
	garbled  int // bytes dropped so
}

// setChipBaud sets the board's UART rate.
func (p *port) setChipBaud(baud int) {
	p.mu.Lock()
	p.chipBaud = baud
	p.mu.Unlock()
}

// mismatched reports, on a paced line, whether n bytes sent now are lost
// to a rate mismatch, and the host's rate for pacing them.
func (p *port) mismatched(n int) (bool, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.paced && p.chipBaud > 0 && p.chipBaud != p.baud {
		if p.garbled == 0 {
			p.log.Printf("the host sends at %d baud, the board's UART runs at %d: bytes are lost", p.baud, p.chipBaud)
		}
		p.garbled += n
		return true, p.baud
	}
	return false, p.baud
}

func newPort(chip portChip, paced bool, baud int, logger *log.Logger) *port {
	pr, pw := io.Pipe()
	return &port{chip: chip, paced: paced, baud: baud, log: logger, toBoard: pr, fromHostW: pw, slot: make(chan struct{}, 1)}
}

// Read is the board reading its line.
func (p *port) Read(b []byte) (int, error) { return p.toBoard.Read(b) }

// Write is the board writing its line: to the host holding the port, or
// lost.
func (p *port) Write(b []byte) (int, error) {
	p.mu.Lock()
	c := p.conn
	p.mu.Unlock()
	if c == nil {
		return len(b), nil
	}
	lost, baud := p.mismatched(len(b))
	c.toHost.pace(p.paced, baud, len(b))
	if lost {
		return len(b), nil
	}
	if _, err := c.toHostW.Write(b); err != nil {
		return len(b), nil // the host closed the port while we wrote
	}
	return len(b), nil
}

// serve accepts host connections on ln until ctx is done.
func (p *port) serve(ctx context.Context, ln net.Listener) {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go p.take(ctx, conn)
	}
}

// holdWait bounds how long a new host connection waits for the previous
// holder's to end: a host that closes the port and opens it again at
// once (a flasher, then a monitor) gets it; a second host does not.
const holdWait = time.Second

// take serves conn once the port is free, or closes it.
func (p *port) take(ctx context.Context, conn net.Conn) {
	t := time.NewTimer(holdWait)
	defer t.Stop()
	select {
	case p.slot <- struct{}{}:
	case <-t.C:
		conn.Close() // one host holds a port at a time, as ser2net serves one
		return
	case <-ctx.Done():
		conn.Close()
		return
	}
	defer func() { <-p.slot }()
	if !p.chip.present() {
		// A board in BOOTSEL has no serial port to serve.
		conn.Close()
		return
	}
	p.serveConn(ctx, conn, p.attach())
}

// attach makes a new host connection the port's holder.
func (p *port) attach() *portConn {
	pr, pw := io.Pipe()
	c := &portConn{p: p, toHostR: pr, toHostW: pw}
	p.mu.Lock()
	p.conn = c
	p.mu.Unlock()
	return c
}

// serveConn serves one host connection to its end.
func (p *port) serveConn(ctx context.Context, conn net.Conn, c *portConn) {
	p.chip.setLines(true, true)
	s := rfc2217.Server{Line: c, Baud: p.baud}
	if err := s.ServeConn(ctx, conn); err != nil {
		p.log.Printf("host connection: %v", err)
	}
	p.detach(c)
	p.chip.setLines(false, false)
}

// drop ends the host's connection, as a board whose USB port disappears
// ends the host's hold on it.
func (p *port) drop() {
	p.mu.Lock()
	c := p.conn
	p.mu.Unlock()
	if c != nil {
		c.toHostW.CloseWithError(errPortGone)
	}
}

func (p *port) detach(c *portConn) {
	p.mu.Lock()
	if p.conn == c {
		p.conn = nil
	}
	p.mu.Unlock()
	c.toHostW.CloseWithError(errPortGone)
}

var errPortGone = errors.New("gatomqtt-twin: the board's serial port is gone")

// portConn is one host connection's view of the port: the rfc2217.Line
// its server drives.
type portConn struct {
	p               *port
	toHostR         *io.PipeReader
	toHostW         *io.PipeWriter
	toHost, toBoard pacer
}

func (c *portConn) Read(b []byte) (int, error) { return c.toHostR.Read(b) }

func (c *portConn) Write(b []byte) (int, error) {
	lost, baud := c.p.mismatched(len(b))
	c.toBoard.pace(c.p.paced, baud, len(b))
	if lost {
		return len(b), nil
	}
	return c.p.fromHostW.Write(b)
}

// SetReadDeadline lets the server wake a Read blocked when the session
// ends: a deadline in the past ends this connection's reads for good.
func (c *portConn) SetReadDeadline(t time.Time) error {
	if !t.IsZero() && time.Until(t) <= 0 {
		c.toHostR.CloseWithError(errPortGone)
	}
	return nil
}

func (c *portConn) SetBaudRate(baud int) error {
	c.p.mu.Lock()
	c.p.baud = baud
	c.p.mu.Unlock()
	c.p.chip.setBaud(baud)
	return nil
}

func (c *portConn) SetDTR(on bool) error { c.p.chip.setDTR(on); return nil }
func (c *portConn) SetRTS(on bool) error { c.p.chip.setRTS(on); return nil }

// pacer gives bytes on a paced line their time at the baud rate: ten bit
// times each (8N1), back to back.
type pacer struct {
	mu   sync.Mutex
	next time.Time
	// late is how late this machine's timers fire, learnt from the
	// sleeps so far (about 1 ms on these machines): a line paced by
	// plain sleeps would lose that much at every turn of a request and
	// its answer, so each sleep is shortened by it.
	late time.Duration
}

func (pc *pacer) pace(on bool, baud, n int) {
	if !on || baud <= 0 || n == 0 {
		return
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	now := time.Now()
	if pc.next.Before(now) {
		pc.next = now
	}
	pc.next = pc.next.Add(time.Duration(n) * 10 * time.Second / time.Duration(baud))
	// The line's time, not synchronisation: the bytes are on the wire
	// until then.
	d := time.Until(pc.next) - pc.late
	if d <= 0 {
		return
	}
	start := time.Now()
	time.Sleep(d)
	over := time.Since(start) - d
	pc.late += (over - pc.late) / 8
}
