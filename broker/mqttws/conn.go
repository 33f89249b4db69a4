package mqttws

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Subprotocol is the WebSocket subprotocol of MQTT (MQTT-6.0.0-3/4).
const Subprotocol = "mqtt"

// ErrTextMessage is what Read returns when the peer sends a text message,
// after closing the connection with code 1003 (MQTT-6.0.0-1).
var ErrTextMessage = errors.New("mqttws: a text message where MQTT needs binary ones")

// Conn is a WebSocket connection as the MQTT byte stream it carries.
//
// A goroutine reads the messages and hands their bytes to Read, so that a
// read deadline that passes (keep-alive checks, a harness waiting for
// nothing to arrive) leaves the connection usable, as it does a TCP one;
// the WebSocket library's own deadlines break a connection for good.
type Conn struct {
	ws *websocket.Conn

	in   chan []byte   // bytes of binary messages, in order
	done chan struct{} // closed when the reader stops; err says why
	err  error

	rmu      sync.Mutex
	cur      []byte
	dmu      sync.Mutex
	deadline time.Time
	moved    chan struct{} // closed and replaced when the deadline moves

	wmu       sync.Mutex
	closeOnce sync.Once
	closing   chan struct{} // closed by Close
}

// NewConn wraps a WebSocket connection whose subprotocol is mqtt.
func NewConn(ws *websocket.Conn) *Conn {
	c := &Conn{ws: ws, in: make(chan []byte), done: make(chan struct{}), moved: make(chan struct{}), closing: make(chan struct{})}
	go c.readLoop()
	return c
}

// readLoop reads the messages back to back as one stream (MQTT-6.0.0-2)
// and closes the connection at a text message (MQTT-6.0.0-1).
func (c *Conn) readLoop() {
	defer close(c.done)
	buf := make([]byte, 4096)
	for {
		kind, r, err := c.ws.NextReader()
		if err != nil {
			c.err = streamEnd(err)
			return
		}
		if kind != websocket.BinaryMessage {
			c.closeWith(websocket.CloseUnsupportedData, "MQTT travels in binary messages")
			c.err = ErrTextMessage
			return
		}
		for {
			n, err := r.Read(buf)
			if n > 0 {
				select {
				case c.in <- append([]byte(nil), buf[:n]...):
				case <-c.closed():
					c.err = net.ErrClosed
					return
				}
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				c.err = streamEnd(err)
				return
			}
		}
	}
}

// closed is done once the connection has been closed locally.
func (c *Conn) closed() <-chan struct{} { return c.closing }

// Read reads the stream, waiting until the read deadline at most.
func (c *Conn) Read(p []byte) (int, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	for len(c.cur) == 0 {
		c.dmu.Lock()
		deadline, moved := c.deadline, c.moved
		c.dmu.Unlock()
		var expired <-chan time.Time
		var t *time.Timer
		if !deadline.IsZero() {
			d := time.Until(deadline)
			if d <= 0 {
				return 0, os.ErrDeadlineExceeded
			}
			t = time.NewTimer(d)
			expired = t.C
		}
		var err error
		select {
		case b := <-c.in:
			c.cur = b
		case <-c.done:
			err = c.err
		case <-expired:
			err = os.ErrDeadlineExceeded
		case <-moved:
		}
		if t != nil {
			t.Stop()
		}
		if err != nil {
			return 0, err
		}
	}
	n := copy(p, c.cur)
	c.cur = c.cur[n:]
	return n, nil
}

// streamEnd turns the WebSocket's end into the stream's: a close frame
// that says nothing went wrong, or a connection that simply ended, is
// io.EOF, as a TCP peer's close is; other close codes stay errors.
func streamEnd(err error) error {
	if websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway,
		websocket.CloseNoStatusReceived, websocket.CloseAbnormalClosure) {
		return io.EOF
	}
	return err
}

// Write sends p as one binary message.
func (c *Conn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.ws.WriteMessage(websocket.BinaryMessage, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// closeWith sends a close frame with code and reason, then closes.
func (c *Conn) closeWith(code int, reason string) {
	c.wmu.Lock()
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	c.wmu.Unlock()
	c.shut()
}

// shut closes the connection once.
func (c *Conn) shut() error {
	var err error
	c.closeOnce.Do(func() {
		close(c.closing)
		err = c.ws.Close()
	})
	return err
}

// Close closes the connection with a normal close frame.
func (c *Conn) Close() error {
	c.wmu.Lock()
	// Best effort: the peer may be gone already.
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(100*time.Millisecond))
	c.wmu.Unlock()
	return c.shut()
}

func (c *Conn) LocalAddr() net.Addr  { return c.ws.LocalAddr() }
func (c *Conn) RemoteAddr() net.Addr { return c.ws.RemoteAddr() }

// SetReadDeadline bounds Read; a deadline that passes fails the Reads
// waiting then, and leaves the connection as it was.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.dmu.Lock()
	c.deadline = t
	close(c.moved)
	c.moved = make(chan struct{})
	c.dmu.Unlock()
	return nil
}

func (c *Conn) SetWriteDeadline(t time.Time) error { return c.ws.SetWriteDeadline(t) }

func (c *Conn) SetDeadline(t time.Time) error {
	return errors.Join(c.SetReadDeadline(t), c.SetWriteDeadline(t))
}

// checkSubprotocol refuses a connection without the mqtt subprotocol.
func checkSubprotocol(ws *websocket.Conn) error {
	if got := ws.Subprotocol(); got != Subprotocol {
		return fmt.Errorf("mqttws: subprotocol %q, want %q", got, Subprotocol)
	}
	return nil
}
