package boardtarget

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/boards/firmware"
	"github.com/gatomqtt/gatomqtt/boards/link"
)

// A bridge is the host's end of a board: the link over its line, the
// control client, and loopback listeners whose connections each become
// one link stream: one for MQTT and, when the firmware's hello announces
// TLS-PSK, one for MQTT over TLS-PSK. Bytes cross unchanged either way:
// TLS runs end to end between the client and the firmware. Link streams
// carry no kind, so the firmware tells a TLS stream from a plain one by
// its first byte; each listener checks that byte (see pipe), so that its
// port speaks one protocol only, as a broker's ports do.
type bridge struct {
	line  io.ReadWriteCloser
	link  *link.Link
	ctl   *firmware.Client
	ln    net.Listener
	pskLn net.Listener // nil when the firmware serves no TLS-PSK

	mu    sync.Mutex
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// attach runs the link over line with p's link configuration, waits for
// the firmware's hello and checks that it comes from board p, and starts
// serving loopback connections. what names the line in errors ("the twin's
// pty /dev/pts/3").
func attach(ctx context.Context, line io.ReadWriteCloser, p *boards.Profile, what string) (*bridge, firmware.Hello, error) {
	cfg := p.Link
	cfg.Epoch = epoch()
	l, err := link.New(line, cfg)
	if err != nil {
		line.Close()
		return nil, firmware.Hello{}, fmt.Errorf("starting the link on %s: %w", what, err)
	}
	b := &bridge{line: line, link: l, conns: map[net.Conn]struct{}{}}
	b.ctl = firmware.NewClient(l.Control(), nil)
	h, err := b.hello(ctx)
	if err != nil {
		b.close()
		return nil, h, fmt.Errorf("%s: %w", what, err)
	}
	if h.Board != p.Name {
		b.close()
		return nil, h, fmt.Errorf("%s: the firmware says it runs on board %q (%s), not %q", what, h.Board, h.Chip, p.Name)
	}
	var lc net.ListenConfig
	if b.ln, err = lc.Listen(ctx, "tcp", "127.0.0.1:0"); err != nil {
		b.close()
		return nil, h, fmt.Errorf("listening for MQTT to %s: %w", what, err)
	}
	if h.PSKIdentity != "" {
		if b.pskLn, err = lc.Listen(ctx, "tcp", "127.0.0.1:0"); err != nil {
			b.close()
			return nil, h, fmt.Errorf("listening for TLS-PSK to %s: %w", what, err)
		}
		b.wg.Add(1)
		go b.serve(b.pskLn, isTLS)
	}
	// The firmware serves a stream opening with a TLS record as TLS only
	// when it serves TLS-PSK; otherwise its broker judges every byte.
	var plain func(byte) bool
	if b.pskLn != nil {
		plain = func(first byte) bool { return !isTLS(first) }
	}
	b.wg.Add(1)
	go b.serve(b.ln, plain)
	return b, h, nil
}

// hello asks for the firmware's hello until ctx ends; closing the link
// on failure ends the asking.
func (b *bridge) hello(ctx context.Context) (firmware.Hello, error) {
	h, err := b.ctl.HelloWithin(ctx)
	switch {
	case ctx.Err() != nil && errors.Is(err, firmware.ErrNoAnswer):
		return h, fmt.Errorf("no hello from the firmware (is it running, on this port, at this baud rate?): %w", ctx.Err())
	case err != nil:
		return h, fmt.Errorf("reading the firmware's hello: %w", err)
	}
	return h, nil
}

// serve gives every connection ln accepts a link stream of its own,
// passing on those whose first byte first accepts (nil: all).
func (b *bridge) serve(ln net.Listener, first func(byte) bool) {
	defer b.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		s, err := b.link.Open()
		if err != nil {
			c.Close() // no stream free: the client sees its connection closed
			continue
		}
		b.mu.Lock()
		b.conns[c] = struct{}{}
		b.mu.Unlock()
		b.wg.Add(1)
		go b.pipe(c, s, first)
	}
}

// isTLS reports whether a client's first byte opens a TLS handshake
// record (content type 22), as every TLS client's first byte does;
// MQTT's first byte, CONNECT's, is 0x10.
func isTLS(first byte) bool { return first == 0x16 }

// pipe copies between c and s until either side ends, then closes both,
// so a client's close reaches the broker and the broker's reaches the
// client. When first is set, a client whose first byte it refuses is
// closed, and its stream, before the byte reaches the firmware, which
// would serve the stream by that byte: the TLS-PSK listener takes only
// TLS, and the MQTT one, beside it, no TLS. A TLS server ends a
// connection that starts with anything but a record (RFC 8446 section
// 5), and a broker one whose first byte is no valid CONNECT's (0x16 is a
// CONNECT with reserved flags set, MQTT-2.2.2-2), so either client sees
// what a broker would show it. The stream is opened before that byte
// comes, so the firmware's connect timeout bounds a client that sends
// nothing.
func (b *bridge) pipe(c net.Conn, s *link.Stream, first func(byte) bool) {
	defer b.wg.Done()
	done := make(chan struct{}, 2)
	go func() {
		defer func() { done <- struct{}{} }()
		if first != nil {
			var one [1]byte
			if _, err := io.ReadFull(c, one[:]); err != nil || !first(one[0]) {
				return
			}
			if _, err := s.Write(one[:]); err != nil {
				return
			}
		}
		_, _ = io.Copy(s, c)
	}()
	go func() { _, _ = io.Copy(c, s); done <- struct{}{} }()
	<-done
	c.Close()
	s.Close()
	<-done
	b.mu.Lock()
	delete(b.conns, c)
	b.mu.Unlock()
}

// addr is the loopback address MQTT clients connect to.
func (b *bridge) addr() string { return b.ln.Addr().String() }

// pskAddr is the loopback address TLS-PSK clients connect to, "" when the
// firmware serves no TLS-PSK.
func (b *bridge) pskAddr() string {
	if b.pskLn == nil {
		return ""
	}
	return b.pskLn.Addr().String()
}

// close ends every connection, the link and the line.
func (b *bridge) close() error {
	for _, ln := range []net.Listener{b.ln, b.pskLn} {
		if ln != nil {
			ln.Close()
		}
	}
	b.mu.Lock()
	for c := range b.conns {
		c.Close()
	}
	b.mu.Unlock()
	err := b.link.Close()
	// Closing the link may have closed a line it knew how to close.
	if cerr := b.line.Close(); err == nil && !errors.Is(cerr, net.ErrClosed) && !errors.Is(cerr, os.ErrClosed) {
		err = cerr
	}
	b.wg.Wait()
	return err
}

// epoch draws the host's run name for the link.
func epoch() uint32 {
	var b [4]byte
	for {
		_, _ = rand.Read(b[:])
		if e := binary.LittleEndian.Uint32(b[:]); e != 0 {
			return e
		}
	}
}
