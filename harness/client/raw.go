package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

// A RawClient speaks MQTT through the project's codec with no protocol
// logic of its own, for what paho cannot do: send arbitrary bytes and
// malformed or out-of-order packets, withhold acknowledgements, read DUP
// flags and packet identifiers, and observe exactly when the server answers
// or closes. It is not safe for concurrent use.
type RawClient struct {
	conn net.Conn
	buf  []byte // bytes read but not yet returned as packets
	out  []byte // encoding scratch

	// persistent are the client ids of CONNECTs sent with clean session 0,
	// whose sessions outlive the connection; retained are the topics of
	// retained PUBLISH packets and wills sent, whose messages outlive it.
	persistent []string
	retained   []string
}

// Errors reported by RawClient reads; match them with errors.Is.
var (
	// ErrStillOpen is ExpectClosed's error for a connection the server
	// kept open for the whole wait.
	ErrStillOpen = errors.New("expected the server to close the connection, still open")
	// ErrTimeout means no (complete) packet arrived within the bound.
	ErrTimeout = errors.New("timed out")
	// ErrClosed means the server closed the network connection.
	ErrClosed = errors.New("connection closed by the server")
)

// Dial connects a RawClient to target's MQTT endpoint, over TCP or
// WebSocket as the target serves it.
func Dial(target target.Target) (*RawClient, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	raw := target.Endpoints().MQTTURL()
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("harness: endpoint %s: %w", raw, err)
	}
	conn, err := dialURL(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("harness: dial %s: %w", raw, err)
	}
	return NewRawClient(conn), nil
}

// DialAddr connects a RawClient to a host:port.
func DialAddr(ctx context.Context, addr string) (*RawClient, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("harness: dial %s: %w", addr, err)
	}
	return NewRawClient(conn), nil
}

// NewRawClient wraps an established connection.
func NewRawClient(conn net.Conn) *RawClient { return &RawClient{conn: conn} }

// Conn is the underlying connection, e.g. to close it abruptly.
func (c *RawClient) Conn() net.Conn { return c.conn }

// Close closes the connection without sending DISCONNECT.
func (c *RawClient) Close() error { return c.conn.Close() }

// Send encodes p and writes it.
func (c *RawClient) Send(p packet.Packet) error {
	out, err := p.Append(c.out[:0])
	if err != nil {
		return fmt.Errorf("harness: encoding %s: %w", Describe(p), err)
	}
	c.out = out
	c.note(p)
	if err := c.write(out); err != nil {
		return fmt.Errorf("harness: sending %s: %w", Describe(p), err)
	}
	return nil
}

// SendBytes writes b as it is.
func (c *RawClient) SendBytes(b []byte) error {
	if err := c.write(b); err != nil {
		return fmt.Errorf("harness: sending % x: %w", truncate(b, 16), err)
	}
	return nil
}

func (c *RawClient) write(b []byte) error {
	_ = c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, err := c.conn.Write(b)
	return classify(err)
}

// ReadRaw returns the bytes of the next whole packet, fixed header
// included, waiting at most timeout. Only the fixed header is checked.
func (c *RawClient) ReadRaw(timeout time.Duration) ([]byte, error) {
	deadline := time.Now().Add(timeout)
	tmp := make([]byte, 4096)
	for {
		h, err := packet.ParseHeader(c.buf, 0)
		if err == nil && len(c.buf) >= h.Size+h.Remaining {
			n := h.Size + h.Remaining
			frame := append([]byte(nil), c.buf[:n]...)
			c.buf = append(c.buf[:0], c.buf[n:]...)
			return frame, nil
		}
		if err != nil && !errors.Is(err, packet.ErrIncomplete) {
			return nil, fmt.Errorf("server sent a bad fixed header % x: %w", truncate(c.buf, 8), err)
		}
		_ = c.conn.SetReadDeadline(deadline)
		n, err := c.conn.Read(tmp)
		c.buf = append(c.buf, tmp[:n]...)
		if err != nil {
			err = classify(err)
			if len(c.buf) > 0 {
				return nil, fmt.Errorf("%w with %d bytes of an incomplete packet pending (% x)",
					err, len(c.buf), truncate(c.buf, 16))
			}
			return nil, err
		}
	}
}

// Read returns the next packet, decoded, waiting at most timeout. Unlike
// the codec's, the packet does not alias anything: it stays valid.
func (c *RawClient) Read(timeout time.Duration) (packet.Packet, error) {
	frame, err := c.ReadRaw(timeout)
	if err != nil {
		return nil, err
	}
	var d packet.Decoder
	p, _, err := d.Decode(frame)
	if err != nil {
		return nil, fmt.Errorf("server sent a malformed packet % x: %w", truncate(frame, 32), err)
	}
	return p, nil
}

// Expect reads the next packet and checks that it has type want.
func (c *RawClient) Expect(want packet.Type, timeout time.Duration) (packet.Packet, error) {
	return c.expect(want.String(), timeout, func(p packet.Packet) bool { return p.Type() == want })
}

func (c *RawClient) expect(what string, timeout time.Duration, ok func(packet.Packet) bool) (packet.Packet, error) {
	start := time.Now()
	p, err := c.Read(timeout)
	since := time.Since(start).Round(time.Millisecond)
	if err != nil {
		return nil, fmt.Errorf("expected %s, got %w after %s", what, err, since)
	}
	if !ok(p) {
		return p, fmt.Errorf("expected %s, got %s after %s", what, Describe(p), since)
	}
	return p, nil
}

// ExpectNothing checks that no packet arrives and the connection stays
// open for d.
func (c *RawClient) ExpectNothing(d time.Duration) error {
	start := time.Now()
	p, err := c.Read(d)
	switch {
	case errors.Is(err, ErrTimeout):
		return nil
	case err != nil:
		return fmt.Errorf("expected nothing for %s, got %w after %s", d, err, time.Since(start).Round(time.Millisecond))
	default:
		return fmt.Errorf("expected nothing for %s, got %s after %s", d, Describe(p), time.Since(start).Round(time.Millisecond))
	}
}

// ExpectClosed returns nil when the server closes the connection within
// the bound without sending anything more, and a descriptive error when a
// packet arrives first or the connection is still open at the bound.
func (c *RawClient) ExpectClosed(within time.Duration) error {
	start := time.Now()
	p, err := c.Read(within)
	since := time.Since(start).Round(time.Millisecond)
	switch {
	case errors.Is(err, ErrClosed):
		return nil
	case errors.Is(err, ErrTimeout):
		return fmt.Errorf("%w within %s", ErrStillOpen, within)
	case err != nil:
		return fmt.Errorf("expected the server to close the connection, got %w after %s", err, since)
	default:
		return fmt.Errorf("expected the server to close the connection, got %s after %s", Describe(p), since)
	}
}

// classify maps connection errors onto ErrTimeout and ErrClosed.
func classify(err error) error {
	var ne net.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return ErrTimeout
	case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.ErrClosedPipe):
		return fmt.Errorf("%w (%v)", ErrClosed, err)
	}
	return err
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// note remembers the state p leaves on the server beyond the connection.
func (c *RawClient) note(p packet.Packet) {
	switch p := p.(type) {
	case *packet.Connect:
		c.noteConnect(p)
	case packet.Connect:
		c.noteConnect(&p)
	case *packet.Publish:
		c.notePublish(p)
	case packet.Publish:
		c.notePublish(&p)
	}
}

func (c *RawClient) noteConnect(p *packet.Connect) {
	if !p.CleanSession && len(p.ClientID) > 0 {
		c.persistent = appendNew(c.persistent, string(p.ClientID))
	}
	if p.WillFlag && p.WillRetain && len(p.WillMessage) > 0 {
		c.retained = appendNew(c.retained, string(p.WillTopic))
	}
}

func (c *RawClient) notePublish(p *packet.Publish) {
	if p.Retain && len(p.Payload) > 0 {
		c.retained = appendNew(c.retained, string(p.Topic))
	}
}

func appendNew(list []string, s string) []string {
	for _, have := range list {
		if have == s {
			return list
		}
	}
	return append(list, s)
}

// RetainedTopics lists the topics this client sent retained messages or
// retained wills to, whose retained messages the server may still hold.
func (c *RawClient) RetainedTopics() []string { return c.retained }

// ClearRetained deletes the retained messages of topics on target by
// publishing an empty retained message to each (MQTT-3.3.1-10) and waiting
// for its PUBACK. Retained messages otherwise outlive the spec that made
// them and use up a small target's retained slots. Topics below the
// target's DeniedTopic are left out: nothing is retained there, and a
// target may close the connection of a client that publishes there.
func ClearRetained(target target.Target, topics ...string) error {
	topics = withoutDenied(topics, target.Capabilities().DeniedTopic)
	if len(topics) == 0 {
		return nil
	}
	c, err := Dial(target)
	if err != nil {
		return err
	}
	defer c.Close()
	o := ConnectOptions{ClientID: ClientID("clear"), CleanSession: true}
	o = o.WithCredentials(target.Capabilities().Credentials)
	ack, err := c.Connect(o, 10*time.Second)
	if err != nil {
		return fmt.Errorf("harness: clearing retained messages: %w", err)
	}
	if ack.ReturnCode != packet.Accepted {
		return fmt.Errorf("harness: clearing retained messages: %s", Describe(ack))
	}
	for i, t := range topics {
		id := uint16(i%65535 + 1)
		if err := c.Publish(t, nil, 1, true, id); err != nil {
			return err
		}
		if err := c.ExpectPuback(id, 10*time.Second); err != nil {
			return fmt.Errorf("harness: clearing the retained message of %q: %w", t, err)
		}
	}
	return c.Disconnect()
}

// PersistentSessions lists the client ids this client sent CONNECTs with
// clean session 0, whose sessions the server may still hold.
func (c *RawClient) PersistentSessions() []string { return c.persistent }

// ClearSession ends the session of client id on target, if the target
// holds one, by connecting with clean session 1 (MQTT-3.1.2-6) and
// disconnecting. Persistent sessions otherwise outlive the spec that made
// them and use up a small target's session slots.
func ClearSession(target target.Target, id string) error {
	c, err := Dial(target)
	if err != nil {
		return err
	}
	defer c.Close()
	o := ConnectOptions{ClientID: id, CleanSession: true}
	o = o.WithCredentials(target.Capabilities().Credentials)
	ack, err := c.Connect(o, 10*time.Second)
	if err != nil {
		return fmt.Errorf("harness: clearing session %q: %w", id, err)
	}
	if ack.ReturnCode != packet.Accepted {
		return fmt.Errorf("harness: clearing session %q: %s", id, Describe(ack))
	}
	return c.Disconnect()
}

// withoutDenied returns topics without those below the denied prefix.
func withoutDenied(topics []string, prefix string) []string {
	if prefix == "" {
		return topics
	}
	var kept []string
	for _, t := range topics {
		if !target.Below([]byte(t), prefix) {
			kept = append(kept, t)
		}
	}
	return kept
}
