package rfc2217

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// DefaultAckTimeout bounds the wait for the access server's answer in
// SetDTR and SetRTS, which take no context.
const DefaultAckTimeout = 2 * time.Second

// maxBuffered bounds the data the Port holds for Read; beyond it the
// Port stops reading the connection until Read catches up (server
// answers behind that data then wait too).
const maxBuffered = 1 << 20

var (
	// ErrRefused is returned when the server refuses COM-PORT-OPTION
	// (IAC DONT 44).
	ErrRefused = errors.New("rfc2217: server refused COM-PORT-OPTION")
	// ErrNoAnswer wraps a context error when the server did not answer a
	// command in time. ser2net, for one, does not answer SET-CONTROL
	// DTR/RTS when the device's modem-line ioctl fails (as on a pty).
	ErrNoAnswer = errors.New("rfc2217: no answer from server")
)

// Port is the client side of an RFC 2217 connection: an io.ReadWriteCloser
// carrying the serial data plus the COM-PORT-OPTION commands used for
// boards. Read, Write and Close may be called concurrently with each
// other and with the commands; the commands themselves run one at a time.
type Port struct {
	conn net.Conn

	wmu sync.Mutex // serialises writes to conn

	cmdMu   sync.Mutex // one command in flight
	answers chan []byte

	mu         sync.Mutex
	cond       *sync.Cond
	buf        []byte // data not yet read
	rerr       error  // terminal read error, after buf is drained
	closed     bool
	deadline   time.Time
	timer      *time.Timer
	neg        *negotiator
	accepted   chan struct{} // closed when the server said DO COM-PORT-OPTION
	refused    chan struct{} // closed when it said DONT
	ackTimeout time.Duration
	lineState  byte
	modemState byte
	signature  string
	done       chan struct{} // closed when the reader goroutine ends
	// ctl carries the reader's answers to negotiation to a sender
	// goroutine, so that the reader never blocks on a write: on an
	// unbuffered transport (net.Pipe) both sides writing at once would
	// otherwise deadlock.
	ctl chan []byte
}

// Dial connects to an RFC 2217 server at addr (host:port) and waits,
// bounded by ctx, until the server has agreed to COM-PORT-OPTION.
func Dial(ctx context.Context, addr string) (*Port, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("rfc2217: %w", err)
	}
	p := Client(conn)
	if err := p.WaitNegotiated(ctx); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// Client starts the client side on an established connection: it offers
// BINARY and SUPPRESS-GO-AHEAD both ways and COM-PORT-OPTION, and reads
// the connection in a goroutine that lasts until Close or the end of the
// connection. It does not wait for the server; see WaitNegotiated.
func Client(conn net.Conn) *Port {
	p := &Port{
		conn:       conn,
		answers:    make(chan []byte, 16),
		neg:        newNegotiator(optBinary, optSGA, optComPort),
		accepted:   make(chan struct{}),
		refused:    make(chan struct{}),
		ackTimeout: DefaultAckTimeout,
		done:       make(chan struct{}),
		ctl:        make(chan []byte, 64),
	}
	p.cond = sync.NewCond(&p.mu)
	p.mu.Lock()
	offer := p.neg.offer(nil, optBinary, optSGA, optComPort)
	p.mu.Unlock()
	go p.readLoop()
	go p.sendLoop()
	p.ctl <- offer
	return p
}

func (p *Port) sendLoop() {
	for {
		select {
		case b := <-p.ctl:
			// An error here also ends the reader, which reports it.
			p.writeRaw(b)
		case <-p.done:
			return
		}
	}
}

// WaitNegotiated waits until the server agreed to COM-PORT-OPTION (IAC DO
// 44), refused it, the connection ended or ctx is done.
func (p *Port) WaitNegotiated(ctx context.Context) error {
	select {
	case <-p.accepted:
		return nil
	case <-p.refused:
		return ErrRefused
	case <-p.done:
		return p.readErr()
	case <-ctx.Done():
		return fmt.Errorf("rfc2217: waiting for COM-PORT-OPTION: %w", ctx.Err())
	}
}

func (p *Port) readErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rerr
}

func (p *Port) readLoop() {
	defer close(p.done)
	var (
		dec  decoder
		data []byte
		evs  []event
		in   = make([]byte, 4096)
	)
	for {
		n, err := p.conn.Read(in)
		data, evs = dec.decode(in[:n], data[:0], evs[:0])
		var reply []byte
		p.mu.Lock()
		for _, ev := range evs {
			reply = p.handleEvent(reply, ev)
		}
		if len(data) > 0 {
			p.buf = append(p.buf, data...)
			p.cond.Broadcast()
		}
		for len(p.buf) > maxBuffered && !p.closed {
			p.cond.Wait()
		}
		if err != nil {
			if p.closed {
				err = net.ErrClosed
			}
			p.rerr = err
			p.cond.Broadcast()
		}
		p.mu.Unlock()
		if len(reply) > 0 {
			p.ctl <- reply // blocks only if the sender is 64 answers behind
		}
		if err != nil {
			return
		}
	}
}

// handleEvent runs with p.mu held.
func (p *Port) handleEvent(reply []byte, ev event) []byte {
	if ev.kind != sb {
		if ev.opt == optComPort {
			switch ev.kind {
			case do:
				closeOnce(p.accepted)
			case dont:
				closeOnce(p.refused)
			}
		}
		return p.neg.handle(reply, ev.kind, ev.opt)
	}
	if ev.opt != optComPort || len(ev.payload) == 0 {
		return reply
	}
	code, val := ev.payload[0], ev.payload[1:]
	switch code {
	case serverOffset + cmdNotifyLineState:
		if len(val) > 0 {
			p.lineState = val[0]
		}
	case serverOffset + cmdNotifyModemState:
		if len(val) > 0 {
			p.modemState = val[0]
		}
	case serverOffset + cmdSignature:
		if len(val) == 0 { // the server asks for ours
			reply = appendSubneg(reply, optComPort, append([]byte{cmdSignature}, Signature...))
			break
		}
		fallthrough // the answer to Signature
	default:
		if code >= serverOffset {
			select {
			case p.answers <- ev.payload:
			default: // nobody waits this long; drop it
			}
		}
	}
	return reply
}

func closeOnce(c chan struct{}) {
	select {
	case <-c:
	default:
		close(c)
	}
}

func (p *Port) writeRaw(b []byte) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	_, err := p.conn.Write(b)
	return err
}

// Read reads serial data; Telnet commands never reach the caller.
func (p *Port) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if len(p.buf) > 0 {
			n := copy(b, p.buf)
			p.buf = p.buf[n:]
			if len(p.buf) == 0 {
				p.buf = nil
			}
			p.cond.Broadcast() // the reader may wait for room
			return n, nil
		}
		if p.closed {
			return 0, net.ErrClosed
		}
		if p.rerr != nil {
			return 0, p.rerr
		}
		if !p.deadline.IsZero() && !time.Now().Before(p.deadline) {
			return 0, os.ErrDeadlineExceeded
		}
		p.cond.Wait()
	}
}

// Write sends serial data, doubling 0xFF as Telnet requires. It returns
// len(b) on success and 0 with the error otherwise.
func (p *Port) Write(b []byte) (int, error) {
	if err := p.writeRaw(appendData(make([]byte, 0, len(b)+8), b)); err != nil {
		return 0, err
	}
	return len(b), nil
}

// SetReadDeadline makes a Read waiting at t, or started after it, fail
// with os.ErrDeadlineExceeded. A zero t waits forever.
func (p *Port) SetReadDeadline(t time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.deadline = t
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	if !t.IsZero() {
		p.timer = time.AfterFunc(time.Until(t), func() {
			p.mu.Lock()
			p.cond.Broadcast()
			p.mu.Unlock()
		})
	}
	p.cond.Broadcast()
	return nil
}

// SetWriteDeadline sets the deadline of the underlying connection's
// writes (data and commands).
func (p *Port) SetWriteDeadline(t time.Time) error { return p.conn.SetWriteDeadline(t) }

// SetAckTimeout sets how long SetDTR and SetRTS wait for the server's
// answer (DefaultAckTimeout unless set).
func (p *Port) SetAckTimeout(d time.Duration) {
	p.mu.Lock()
	p.ackTimeout = d
	p.mu.Unlock()
}

// Close closes the connection and wakes a blocked Read, which returns
// net.ErrClosed.
func (p *Port) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	if p.timer != nil {
		p.timer.Stop()
	}
	p.cond.Broadcast()
	p.mu.Unlock()
	err := p.conn.Close()
	<-p.done
	return err
}

// LineState and ModemState return the last NOTIFY-LINESTATE and
// NOTIFY-MODEMSTATE values the server sent (0 before any).
func (p *Port) LineState() byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lineState
}

// ModemState: see LineState.
func (p *Port) ModemState() byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.modemState
}

// command sends COM-PORT-OPTION code with value and waits for the
// server's answer (code+100), returning its value.
func (p *Port) command(ctx context.Context, code byte, value []byte) ([]byte, error) {
	if err := p.WaitNegotiated(ctx); err != nil {
		return nil, err
	}
	p.cmdMu.Lock()
	defer p.cmdMu.Unlock()
	// Drop answers left over from commands that gave up waiting.
	for len(p.answers) > 0 {
		<-p.answers
	}
	if err := p.writeRaw(appendSubneg(nil, optComPort, append([]byte{code}, value...))); err != nil {
		return nil, fmt.Errorf("rfc2217: %w", err)
	}
	for {
		select {
		case a := <-p.answers:
			if a[0] == code+serverOffset {
				return a[1:], nil
			}
		case <-p.done:
			if err := p.readErr(); err != nil {
				return nil, fmt.Errorf("rfc2217: %w", err)
			}
			return nil, io.ErrUnexpectedEOF
		case <-ctx.Done():
			return nil, fmt.Errorf("%w to command %d: %w", ErrNoAnswer, code, ctx.Err())
		}
	}
}

// SetBaudRate asks the server to set the device's baud rate and returns
// the rate the server reports in use, which may differ from the one asked
// for. A baud of 0 only asks for the current rate.
func (p *Port) SetBaudRate(ctx context.Context, baud int) (int, error) {
	if baud < 0 || int64(baud) > 0xFFFFFFFF {
		return 0, fmt.Errorf("rfc2217: baud rate %d out of range", baud)
	}
	v := binary.BigEndian.AppendUint32(nil, uint32(baud))
	a, err := p.command(ctx, cmdSetBaudRate, v)
	if err != nil {
		return 0, err
	}
	if len(a) != 4 {
		return 0, fmt.Errorf("rfc2217: baud rate answer of %d bytes", len(a))
	}
	return int(binary.BigEndian.Uint32(a)), nil
}

// control sends SET-CONTROL value and returns the server's answer.
func (p *Port) control(ctx context.Context, value byte) (byte, error) {
	a, err := p.command(ctx, cmdSetControl, []byte{value})
	if err != nil {
		return 0, err
	}
	if len(a) != 1 {
		return 0, fmt.Errorf("rfc2217: SET-CONTROL answer of %d bytes", len(a))
	}
	return a[0], nil
}

func (p *Port) setLine(name string, on bool, onVal, offVal byte) error {
	p.mu.Lock()
	d := p.ackTimeout
	p.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	want := offVal
	if on {
		want = onVal
	}
	got, err := p.control(ctx, want)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("rfc2217: asked %s %v, server answered SET-CONTROL %d", name, on, got)
	}
	return nil
}

// SetDTR sets the DTR line (SET-CONTROL 8 or 9) and waits, up to the ack
// timeout, for the server to confirm it.
func (p *Port) SetDTR(on bool) error { return p.setLine("DTR", on, ctlDTROn, ctlDTROff) }

// SetRTS sets the RTS line (SET-CONTROL 11 or 12) and waits, up to the
// ack timeout, for the server to confirm it.
func (p *Port) SetRTS(on bool) error { return p.setLine("RTS", on, ctlRTSOn, ctlRTSOff) }

// Purge asks the server to discard the selected buffers (PURGE-DATA) and
// waits for its answer.
func (p *Port) Purge(ctx context.Context, what Purge) error {
	if what < PurgeReceive || what > PurgeBoth {
		return fmt.Errorf("rfc2217: purge value %d", what)
	}
	a, err := p.command(ctx, cmdPurgeData, []byte{byte(what)})
	if err != nil {
		return err
	}
	if len(a) != 1 || a[0] != byte(what) {
		return fmt.Errorf("rfc2217: purge %d answered with %v", what, a)
	}
	return nil
}

// Signature asks the server for its signature text (SIGNATURE with no
// text).
func (p *Port) Signature(ctx context.Context) (string, error) {
	a, err := p.command(ctx, cmdSignature, nil)
	return string(a), err
}
