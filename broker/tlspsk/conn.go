package tlspsk

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Conn is a TLS 1.3 PSK connection over a byte stream. Read and Write may
// be called concurrently with each other and with Close; the first of them
// runs the handshake. Conn has every method of net.Conn but the two
// addresses, which package psknet adds for connections over package net.
type Conn struct {
	rw       io.ReadWriteCloser
	config   *Config
	isClient bool

	handshakeMu   sync.Mutex
	handshakeErr  error
	handshakeDone atomic.Bool
	state         ConnectionState

	inMu       sync.Mutex
	in         halfConn
	inBuf      []byte
	recvInner  int    // largest TLSInnerPlaintext accepted
	appData    []byte // decrypted application data not yet read
	hsData     []byte // handshake bytes of the current record not yet parsed
	hsBuf      []byte // a handshake message being reassembled across records
	hsStore    []byte // storage behind hsBuf
	hsSkip     int    // bytes of a skipped NewSessionTicket still to come
	readErr    error
	ccsAllowed bool
	earlySkip  int

	outMu           sync.Mutex
	out             halfConn
	outBuf          []byte
	sendLimit       int // largest content per record this side sends
	writeErr        error
	alertSent       bool
	closeNotifySent bool
	closeNotifyErr  error
	alertBuf        [headerLen + 2 + 1 + maxTag]byte

	// activeCall counts calls that may write after the handshake (in
	// steps of 2) and marks Close (bit 0), so that Close breaks a write
	// blocked on a peer that stopped reading instead of waiting for
	// c.outMu behind it. See beginWrite.
	activeCall atomic.Int32

	// Buffer sizes, kept apart from the buffers so that BufferBytes does
	// not wait for a blocked Read or Write.
	inBytes, outBytes, hsBytes atomic.Int32

	hooks *testHooks // nil outside tests; see hooks.go
}

// ConnectionState describes a connection after its handshake.
type ConnectionState struct {
	HandshakeComplete    bool
	CipherSuite          CipherSuite
	KeyExchangeMode      KeyExchangeMode
	Group                Group  // zero in psk_ke mode
	Identity             string // the PSK identity in use
	DidHelloRetryRequest bool
	// MaxFragmentLength is the negotiated max_fragment_length, or 0.
	MaxFragmentLength int
	// PeerRecordSizeLimit is the record_size_limit the peer sent, or 0.
	PeerRecordSizeLimit int
	// SendLimit and ReceiveLimit are the largest record contents this
	// side sends and accepts.
	SendLimit    int
	ReceiveLimit int
}

// ServerOver returns a server-side Conn over rw, which may be any reliable
// byte stream. The handshake runs on first use or on Handshake.
func ServerOver(rw io.ReadWriteCloser, config *Config) *Conn {
	return newConn(rw, config, false)
}

// ClientOver returns a client-side Conn over rw.
func ClientOver(rw io.ReadWriteCloser, config *Config) *Conn {
	return newConn(rw, config, true)
}

func newConn(rw io.ReadWriteCloser, config *Config, isClient bool) *Conn {
	c := &Conn{rw: rw, config: config, isClient: isClient}
	limit := MaxPlaintext
	if config != nil {
		limit = config.recordLimit(isClient)
	}
	c.recvInner = limit + 1
	c.setInBuf(max(recordBufSize(c.recvInner), headerLen+helloRoom(isClient)))
	c.sendLimit = limit
	if isClient {
		// A client knows its limits now; a server allocates its send
		// buffer once the ClientHello has told it the peer's limits.
		c.setOutBuf(recordBufSize(limit + 1))
	}
	return c
}

// recordLimit is the largest record content this side's buffers hold. A
// client offering both max_fragment_length and record_size_limit does not
// know which one the server will honour, so it makes room for the larger.
func (c *Config) recordLimit(isClient bool) int {
	limit := MaxPlaintext
	rsl := 0
	if c.RecordSizeLimit != 0 {
		rsl = c.RecordSizeLimit - 1
	}
	switch {
	case !isClient || c.MaxFragmentLength == 0:
		if rsl != 0 {
			limit = rsl
		}
	case rsl == 0:
		limit = c.MaxFragmentLength
	default:
		limit = max(rsl, c.MaxFragmentLength)
	}
	return limit
}

// Handshake runs the handshake if it has not run yet. Read and Write call
// it, so most callers need not.
func (c *Conn) Handshake() error {
	return c.HandshakeContext(context.Background())
}

// HandshakeContext is Handshake bounded by ctx: when ctx ends first, the
// transport is closed and ctx.Err() returned.
func (c *Conn) HandshakeContext(ctx context.Context) (err error) {
	if c.handshakeDone.Load() {
		return nil
	}
	c.handshakeMu.Lock()
	defer c.handshakeMu.Unlock()
	if c.handshakeErr != nil {
		return c.handshakeErr
	}
	if c.handshakeDone.Load() {
		return nil
	}
	if ctx.Done() != nil {
		done := make(chan struct{})
		interrupted := make(chan error, 1)
		go func() {
			select {
			case <-ctx.Done():
				c.rw.Close()
				interrupted <- ctx.Err()
			case <-done:
				interrupted <- nil
			}
		}()
		defer func() {
			close(done)
			if ctxErr := <-interrupted; ctxErr != nil {
				err = ctxErr
				c.handshakeErr = ctxErr
			}
		}()
	}
	c.inMu.Lock()
	defer c.inMu.Unlock()
	if err = c.config.check(c.isClient); err == nil {
		if c.isClient {
			err = c.clientHandshake()
		} else {
			err = c.serverHandshake()
		}
	}
	if err != nil {
		c.handshakeErr = c.abort(err)
		return err
	}
	c.ccsAllowed = false
	// Drop every reference into handshake-time buffers (an empty hsData
	// still pins the array it was cut from) so they can be collected.
	c.hsStore, c.hsBuf, c.hsData = nil, nil, nil
	c.hsBytes.Store(0)
	if need := recordBufSize(c.recvInner); need < len(c.inBuf) {
		// The unprotected hellos needed more room than the records now
		// agreed, or a client asked this server for smaller records than
		// its own limit: give the difference back, once. The handshake
		// ended on a record boundary, so the buffer holds nothing unread.
		c.setInBuf(need)
	}
	c.state.HandshakeComplete = true
	c.state.SendLimit = c.sendLimit
	c.state.ReceiveLimit = c.recvInner - 1
	c.handshakeDone.Store(true)
	return nil
}

// checkBoundary enforces that a message preceding a key change ends its
// record (RFC 8446 section 5.1).
func (c *Conn) checkBoundary(what string) error {
	if len(c.hsData) != 0 || len(c.hsBuf) != 0 {
		return unexpected(what + " does not end its record")
	}
	return nil
}

// maxHandshake is the largest handshake message this side reassembles:
// one record's worth of plaintext, and at least helloRoom while records
// are unprotected, since the peer's hello is not bound by the limit.
func (c *Conn) maxHandshake() int {
	if c.in.aead == nil {
		return max(c.recvInner-1, helloRoom(c.isClient))
	}
	return c.recvInner - 1
}

// readHandshake returns the next handshake message, header included. It
// aliases the connection's buffers until the next read. c.inMu must be
// held.
func (c *Conn) readHandshake() ([]byte, error) {
	for {
		if len(c.hsBuf) == 0 && c.hsSkip == 0 && len(c.hsData) >= 4 {
			n := 4 + (int(c.hsData[1])<<16 | int(c.hsData[2])<<8 | int(c.hsData[3]))
			if n <= len(c.hsData) {
				msg := c.hsData[:n]
				c.hsData = c.hsData[n:]
				return msg, nil
			}
		}
		// The message continues in later records: reassemble it, header
		// first, taking from each record only what belongs to it.
		for len(c.hsData) > 0 {
			if c.hsSkip > 0 {
				k := min(c.hsSkip, len(c.hsData))
				c.hsSkip -= k
				c.hsData = c.hsData[k:]
				if c.hsSkip == 0 {
					return c.hsBuf[:4], c.finishReassembly()
				}
				continue
			}
			if c.hsStore == nil {
				c.hsStore = make([]byte, 0, c.maxHandshake()+4)
				c.hsBytes.Store(int32(cap(c.hsStore)))
			}
			if len(c.hsBuf) < 4 {
				k := min(4-len(c.hsBuf), len(c.hsData))
				c.hsBuf = append(c.hsStore[:len(c.hsBuf)], c.hsData[:k]...)
				c.hsData = c.hsData[k:]
				if len(c.hsBuf) < 4 {
					continue
				}
			}
			n := 4 + (int(c.hsBuf[1])<<16 | int(c.hsBuf[2])<<8 | int(c.hsBuf[3]))
			if n > cap(c.hsStore) {
				if c.isClient && c.handshakeDone.Load() && c.hsBuf[0] == typeNewSessionTicket {
					// Tickets are useless here and may be large: skip
					// the body instead of buffering it.
					c.hsSkip = n - len(c.hsBuf)
					continue
				}
				return nil, fail(AlertHandshakeFailure, ErrHandshakeTooLarge, "message of "+itoa(n)+" bytes")
			}
			k := min(n-len(c.hsBuf), len(c.hsData))
			c.hsBuf = append(c.hsBuf, c.hsData[:k]...)
			c.hsData = c.hsData[k:]
			if len(c.hsBuf) == n {
				msg := c.hsBuf
				return msg, c.finishReassembly()
			}
		}
		typ, data, err := c.nextRecord()
		if err != nil {
			return nil, err
		}
		if typ != recordHandshake {
			return nil, unexpected("application data inside the handshake")
		}
		c.hsData = data
	}
}

// finishReassembly marks the reassembly buffer free; the message returned
// from it stays valid until the next read.
func (c *Conn) finishReassembly() error {
	c.hsBuf = c.hsBuf[:0]
	return nil
}

// Read reads application data. It returns io.EOF after the peer's
// close_notify, and *AlertError after a fatal alert.
func (c *Conn) Read(p []byte) (int, error) {
	if err := c.Handshake(); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	c.inMu.Lock()
	defer c.inMu.Unlock()
	for len(c.appData) == 0 {
		if c.readErr != nil {
			return 0, c.readErr
		}
		if err := c.readMore(); err != nil {
			var bt boundaryTimeout
			if errors.As(err, &bt) && len(c.hsBuf) == 0 && c.hsSkip == 0 {
				// A deadline between records, not inside a handshake
				// message: report it and stay usable, as polling
				// readers on boards expect.
				return 0, bt.err
			}
			if c.readErr == nil {
				c.abort(err)
			}
			return 0, err
		}
	}
	n := copy(p, c.appData)
	c.appData = c.appData[n:]
	return n, nil
}

// readMore reads records until application data is available, handling
// post-handshake messages in between. c.inMu must be held.
func (c *Conn) readMore() error {
	typ, data, err := c.nextRecord()
	if err != nil {
		return err
	}
	if typ == recordApplicationData {
		c.appData = data
		return nil
	}
	c.hsData = data
	for len(c.hsData) > 0 {
		msg, err := c.readHandshake()
		if err != nil {
			return err
		}
		if err := c.handlePostHandshake(msg); err != nil {
			return err
		}
	}
	return nil
}

func (c *Conn) handlePostHandshake(msg []byte) error {
	switch msg[0] {
	case typeNewSessionTicket:
		if !c.isClient {
			return unexpected("NewSessionTicket sent by a client")
		}
		// Resumption is not supported; the ticket is dropped.
		return nil
	case typeKeyUpdate:
		req, err := parseKeyUpdate(msg)
		if err != nil {
			return err
		}
		if err := c.checkBoundary("KeyUpdate"); err != nil {
			return err
		}
		if err := c.in.update(); err != nil {
			return err
		}
		if req == updateRequested {
			if !c.beginWrite() {
				return nil // closing: no answer is owed any more
			}
			defer c.endWrite()
			c.outMu.Lock()
			defer c.outMu.Unlock()
			if c.closeNotifySent || c.writeErr != nil {
				return nil
			}
			return c.sendKeyUpdateLocked(updateNotRequested)
		}
		return nil
	}
	return unexpected("post-handshake message of type " + itoa(int(msg[0])))
}

// sendKeyUpdateLocked sends a KeyUpdate and moves to the next write key.
// c.outMu must be held.
func (c *Conn) sendKeyUpdateLocked(request uint8) error {
	if _, err := c.writeRecordLocked(recordHandshake, marshalKeyUpdate(request)); err != nil {
		return err
	}
	if err := c.out.update(); err != nil {
		c.writeErr = err
		return err
	}
	return nil
}

// UpdateKeys sends a KeyUpdate and switches to a fresh write key. With
// requestPeer the peer is asked to do the same for its direction. Long
// lived connections use it to stay within the AEAD usage limits of RFC 8446
// section 5.5.
func (c *Conn) UpdateKeys(requestPeer bool) error {
	if err := c.Handshake(); err != nil {
		return err
	}
	if !c.beginWrite() {
		return ErrClosed
	}
	defer c.endWrite()
	c.outMu.Lock()
	defer c.outMu.Unlock()
	if c.closeNotifySent {
		return ErrClosed
	}
	req := updateNotRequested
	if requestPeer {
		req = updateRequested
	}
	return c.sendKeyUpdateLocked(req)
}

// Write sends p as application data records of at most the negotiated
// record size.
func (c *Conn) Write(p []byte) (int, error) {
	if !c.beginWrite() {
		return 0, ErrClosed
	}
	defer c.endWrite()
	if err := c.Handshake(); err != nil {
		return 0, err
	}
	c.outMu.Lock()
	defer c.outMu.Unlock()
	if c.closeNotifySent {
		return 0, ErrClosed
	}
	return c.writeRecordLocked(recordApplicationData, p)
}

// beginWrite registers a call that may write to the transport while
// holding c.outMu: Write, UpdateKeys, CloseWrite, the answer to a
// KeyUpdate and the alert of a failing connection. It reports false once
// Close has begun. A Close that finds such a call in flight closes the
// transport, which breaks a write blocked on a peer that stopped reading,
// instead of waiting for c.outMu to send close_notify.
func (c *Conn) beginWrite() bool {
	for {
		x := c.activeCall.Load()
		if x&1 != 0 {
			return false
		}
		if c.activeCall.CompareAndSwap(x, x+2) {
			return true
		}
	}
}

func (c *Conn) endWrite() { c.activeCall.Add(-2) }

// Close sends close_notify when the handshake has completed and closes the
// transport. It does not block indefinitely: when another call is writing
// (it may be stuck on a peer that does not read), Close only closes the
// transport, which breaks that call; otherwise the close_notify write is
// bounded by closeNotifyTimeout, through the transport's write deadline
// or, when it has none, by closing the transport when the time is up.
func (c *Conn) Close() error {
	var x int32
	for {
		x = c.activeCall.Load()
		if x&1 != 0 {
			return ErrClosed
		}
		if c.activeCall.CompareAndSwap(x, x|1) {
			break
		}
	}
	if x != 0 || !c.handshakeDone.Load() {
		return c.rw.Close()
	}
	// No call that writes after the handshake is in flight and none can
	// start, so c.outMu is free or held only briefly.
	var timer *time.Timer
	if c.SetWriteDeadline(time.Now().Add(c.closeNotifyTimeout())) == ErrNoDeadline {
		timer = time.AfterFunc(c.closeNotifyTimeout(), func() { c.rw.Close() })
	}
	alertErr := c.closeNotify()
	if timer != nil && !timer.Stop() {
		// The timer closed the transport to break the write.
		return alertErr
	}
	if err := c.rw.Close(); err != nil {
		return err
	}
	return alertErr
}

// CloseWrite sends close_notify without closing the transport; the peer
// reads io.EOF and may still send. The write is bounded by
// closeNotifyTimeout when the transport has write deadlines, and broken
// by Close in any case.
func (c *Conn) CloseWrite() error {
	if !c.handshakeDone.Load() {
		return ErrHandshakeNotDone
	}
	if !c.beginWrite() {
		return ErrClosed
	}
	defer c.endWrite()
	c.SetWriteDeadline(time.Now().Add(c.closeNotifyTimeout()))
	return c.closeNotify()
}

// closeNotifyTimeout bounds how long Close waits for the transport to take
// the close_notify alert.
const closeNotifyTimeout = 5 * time.Second

func (c *Conn) closeNotifyTimeout() time.Duration {
	return c.hooks.closeNotifyWait(closeNotifyTimeout)
}

// closeNotify sends close_notify once. The caller has set the write
// deadline, before taking c.outMu, so that a write holding the lock is
// bounded too.
func (c *Conn) closeNotify() error {
	c.outMu.Lock()
	defer c.outMu.Unlock()
	if !c.closeNotifySent {
		if c.writeErr == nil {
			c.closeNotifyErr = c.sendAlertLocked(AlertCloseNotify)
		}
		c.closeNotifySent = true
		c.SetWriteDeadline(time.Now())
	}
	return c.closeNotifyErr
}

// ConnectionState reports the negotiated parameters.
func (c *Conn) ConnectionState() ConnectionState {
	c.handshakeMu.Lock()
	defer c.handshakeMu.Unlock()
	return c.state
}

// BufferBytes reports the bytes of record and reassembly buffers this
// connection holds now. See the package function BufferBytes for the
// figure per configuration.
func (c *Conn) BufferBytes() int {
	return int(c.inBytes.Load() + c.outBytes.Load() + c.hsBytes.Load())
}

// setInBuf allocates the receive buffer; c.inMu must be held once the
// Conn is shared.
func (c *Conn) setInBuf(n int) {
	c.inBuf = make([]byte, n)
	c.inBytes.Store(int32(n))
}

// setOutBuf allocates the send buffer; c.outMu must be held once the Conn
// is shared.
func (c *Conn) setOutBuf(n int) {
	c.outBuf = make([]byte, n)
	c.outBytes.Store(int32(n))
}

// Transport returns the stream the Conn runs over.
func (c *Conn) Transport() io.ReadWriteCloser { return c.rw }

// Deadlines belong to the transport, whatever it is, not to package net:
// Close and CloseWrite bound their close_notify write with the write
// deadline, and Read stays usable after a read deadline that expires
// between records, for any stream that has deadlines (a serial driver may
// have them too). On a stream without them the setters return
// ErrNoDeadline and Close bounds its write with a timer that closes the
// transport instead.
type deadliner interface{ SetDeadline(time.Time) error }
type readDeadliner interface{ SetReadDeadline(time.Time) error }
type writeDeadliner interface{ SetWriteDeadline(time.Time) error }

// SetDeadline sets the transport's read and write deadlines, when it has
// them. A Write that times out leaves the connection unusable.
func (c *Conn) SetDeadline(t time.Time) error {
	if d, ok := c.rw.(deadliner); ok {
		return d.SetDeadline(t)
	}
	return ErrNoDeadline
}

// SetReadDeadline sets the transport's read deadline, when it has one. A
// Read that times out between records leaves the connection usable; one
// that times out inside a record does not.
func (c *Conn) SetReadDeadline(t time.Time) error {
	if d, ok := c.rw.(readDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return ErrNoDeadline
}

// SetWriteDeadline sets the transport's write deadline, when it has one.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	if d, ok := c.rw.(writeDeadliner); ok {
		return d.SetWriteDeadline(t)
	}
	return ErrNoDeadline
}
