package mqttws

import (
	"errors"
	"fmt"
	"io"
	"net"
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
type Conn struct {
	ws *websocket.Conn

	rmu sync.Mutex
	r   io.Reader // the message being read, nil between messages

	wmu sync.Mutex
}

// NewConn wraps a WebSocket connection whose subprotocol is mqtt.
func NewConn(ws *websocket.Conn) *Conn { return &Conn{ws: ws} }

// Read reads the stream across message boundaries (MQTT-6.0.0-2).
func (c *Conn) Read(p []byte) (int, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	for {
		if c.r == nil {
			kind, r, err := c.ws.NextReader()
			if err != nil {
				return 0, err
			}
			if kind != websocket.BinaryMessage {
				c.closeWith(websocket.CloseUnsupportedData, "MQTT travels in binary messages")
				return 0, ErrTextMessage
			}
			c.r = r
		}
		n, err := c.r.Read(p)
		if errors.Is(err, io.EOF) {
			c.r = nil
			if n == 0 {
				continue // an empty message, or the end of one
			}
			err = nil
		}
		return n, err
	}
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
	msg := websocket.FormatCloseMessage(code, reason)
	c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
	c.wmu.Unlock()
	c.ws.Close()
}

// Close closes the connection with a normal close frame.
func (c *Conn) Close() error {
	c.wmu.Lock()
	// Best effort: the peer may be gone already.
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(100*time.Millisecond))
	c.wmu.Unlock()
	return c.ws.Close()
}

func (c *Conn) LocalAddr() net.Addr                { return c.ws.LocalAddr() }
func (c *Conn) RemoteAddr() net.Addr               { return c.ws.RemoteAddr() }
func (c *Conn) SetReadDeadline(t time.Time) error  { return c.ws.SetReadDeadline(t) }
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.ws.SetWriteDeadline(t) }
func (c *Conn) SetDeadline(t time.Time) error {
	return errors.Join(c.ws.SetReadDeadline(t), c.ws.SetWriteDeadline(t))
}

// checkSubprotocol refuses a connection without the mqtt subprotocol.
func checkSubprotocol(ws *websocket.Conn) error {
	if got := ws.Subprotocol(); got != Subprotocol {
		return fmt.Errorf("mqttws: subprotocol %q, want %q", got, Subprotocol)
	}
	return nil
}
