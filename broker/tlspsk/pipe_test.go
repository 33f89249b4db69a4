package tlspsk

import (
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// memPipe returns two connected in-memory net.Conns whose writes never
// block, like a socket pair with generous kernel buffers. net.Pipe is
// synchronous: when both ends write at once (a failing client sending its
// alert while the server sends its flight) it deadlocks, which real
// transports do not.
func memPipe() (net.Conn, net.Conn) {
	ab, ba := newPipeHalf(), newPipeHalf()
	return &memConn{r: ba, w: ab}, &memConn{r: ab, w: ba}
}

type pipeHalf struct {
	mu     sync.Mutex
	cond   *sync.Cond
	buf    []byte
	closed bool // writer closed: reader gets EOF once drained
}

func newPipeHalf() *pipeHalf {
	h := &pipeHalf{}
	h.cond = sync.NewCond(&h.mu)
	return h
}

type memConn struct {
	r, w *pipeHalf

	mu        sync.Mutex
	deadline  time.Time
	timer     *time.Timer
	closed    bool
	onWrite   func(p []byte) []byte // tests may tamper with outgoing bytes
	wroteSize []int                 // sizes of writes, for record-size checks
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "mem" }
func (pipeAddr) String() string  { return "mem" }

func (c *memConn) Read(p []byte) (int, error) {
	h := c.r
	h.mu.Lock()
	defer h.mu.Unlock()
	for len(h.buf) == 0 {
		c.mu.Lock()
		closed, d := c.closed, c.deadline
		c.mu.Unlock()
		if closed {
			return 0, net.ErrClosed
		}
		if h.closed {
			return 0, io.EOF
		}
		if !d.IsZero() && !time.Now().Before(d) {
			return 0, os.ErrDeadlineExceeded
		}
		h.cond.Wait()
	}
	n := copy(p, h.buf)
	h.buf = h.buf[n:]
	return n, nil
}

func (c *memConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	closed, tamper := c.closed, c.onWrite
	c.wroteSize = append(c.wroteSize, len(p))
	c.mu.Unlock()
	if closed {
		return 0, net.ErrClosed
	}
	data := p
	if tamper != nil {
		data = tamper(append([]byte(nil), p...))
	}
	h := c.w
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return 0, io.ErrClosedPipe
	}
	h.buf = append(h.buf, data...)
	h.cond.Broadcast()
	return len(p), nil
}

func (c *memConn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return net.ErrClosed
	}
	c.closed = true
	c.mu.Unlock()
	for _, h := range []*pipeHalf{c.r, c.w} {
		h.mu.Lock()
		h.closed = true
		h.cond.Broadcast()
		h.mu.Unlock()
	}
	return nil
}

func (c *memConn) LocalAddr() net.Addr  { return pipeAddr{} }
func (c *memConn) RemoteAddr() net.Addr { return pipeAddr{} }

func (c *memConn) SetDeadline(t time.Time) error { return c.SetReadDeadline(t) }

func (c *memConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deadline = t
	if c.timer != nil {
		c.timer.Stop()
	}
	if !t.IsZero() {
		c.timer = time.AfterFunc(time.Until(t), func() {
			c.r.mu.Lock()
			c.r.cond.Broadcast()
			c.r.mu.Unlock()
		})
	}
	return nil
}

// SetWriteDeadline is accepted and ignored: writes never block.
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }
