package load

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// conn is one MQTT client connection, reduced to what a load run needs:
// typed writes that encode into a reused buffer, and a packet reader with
// a fixed buffer. Neither allocates per message.
type conn struct {
	nc      net.Conn
	w       *bufio.Writer
	r       *packet.Reader
	enc     []byte
	closing atomic.Bool // set before a deliberate close, so read errors after it are expected
}

// dial connects to addr (through df, when not nil) and completes the MQTT handshake with a clean
// session and no keep-alive (a run sends no PINGREQ). readBuf bounds the
// largest packet the connection can receive. When flushOnRead is set, the
// buffered writes are flushed whenever the reader is about to wait for the
// network: a subscriber's PUBACKs then leave in batches, without a write
// per message and without being held back while the broker waits for them.
// Such a conn must be read and written by one goroutine only.
func dial(ctx context.Context, addr string, df DialFunc, clientID string, readBuf, writeBuf int, flushOnRead bool, timeout time.Duration) (*conn, error) {
	return dialWith(ctx, addr, dialOptions{clientID: clientID, clean: true, readBuf: readBuf, writeBuf: writeBuf, flushOnRead: flushOnRead, timeout: timeout, dial: df})
}

// dialOptions are dial's arguments, with the two that only the attack
// scenarios set: a persistent session, and a small socket receive buffer.
type dialOptions struct {
	clientID          string
	clean             bool // clean session; false asks for a persistent one
	readBuf, writeBuf int
	flushOnRead       bool
	timeout           time.Duration
	// rcvBuf, when positive, sets the socket's receive buffer (SO_RCVBUF)
	// once connected, so that a client that stops reading fills it soon.
	rcvBuf int
	// dial opens the connection; nil dials TCP.
	dial DialFunc
}

// dialWith is dial with every option. A broker that refuses the CONNECT
// yields a *RefusedError.
func dialWith(ctx context.Context, addr string, o dialOptions) (*conn, error) {
	clientID, readBuf, writeBuf, flushOnRead, timeout := o.clientID, o.readBuf, o.writeBuf, o.flushOnRead, o.timeout
	nc, err := o.dial.open(ctx, addr, timeout)
	if err != nil {
		return nil, fmt.Errorf("load: connect %s: %w", clientID, err)
	}
	if tc, ok := nc.(*net.TCPConn); ok && o.rcvBuf > 0 {
		if err := tc.SetReadBuffer(o.rcvBuf); err != nil {
			nc.Close()
			return nil, fmt.Errorf("load: connect %s: receive buffer of %d bytes: %w", clientID, o.rcvBuf, err)
		}
	}
	c := &conn{nc: nc, w: bufio.NewWriterSize(nc, writeBuf), enc: make([]byte, 0, 256)}
	var src interface{ Read([]byte) (int, error) } = nc
	if flushOnRead {
		src = flushingReader{c}
	}
	c.r = packet.NewReader(src, make([]byte, readBuf))

	// The handshake and the subscription are bounded in time: a broker
	// that accepts TCP but never answers must not hang the run.
	nc.SetDeadline(time.Now().Add(timeout))
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Now()) })
	defer stop()
	err = c.handshake(clientID, o.clean)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("load: connect %s: %w", clientID, err)
	}
	return c, nil
}

// ready lifts the deadline of the handshake, once the connection is set up.
func (c *conn) ready() { c.nc.SetDeadline(time.Time{}) }

func (c *conn) handshake(clientID string, clean bool) error {
	connect := packet.Connect{CleanSession: clean, ClientID: []byte(clientID)}
	b, err := connect.Append(c.enc[:0])
	if err != nil {
		return err
	}
	if err := c.send(b); err != nil {
		return err
	}
	p, err := c.r.ReadPacket()
	if err != nil {
		return fmt.Errorf("waiting for CONNACK: %w", err)
	}
	ack, ok := p.(*packet.Connack)
	if !ok {
		return fmt.Errorf("got %v, want CONNACK", p.Type())
	}
	if ack.ReturnCode != packet.Accepted {
		return &RefusedError{Code: ack.ReturnCode}
	}
	return nil
}

// RefusedError reports a CONNECT the broker refused.
type RefusedError struct {
	Code packet.ConnackCode
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("connection refused with CONNACK code %d", e.Code)
}

// subscribeMany subscribes to filters at qos in one SUBSCRIBE with packet
// identifier id, and returns the SUBACK's return codes: the granted QoS
// or packet.SubackFailure for each filter. A refusal is not an error.
func (c *conn) subscribeMany(id uint16, filters []string, qos packet.QoS) ([]byte, error) {
	fs := make([]packet.Filter, len(filters))
	for i, f := range filters {
		fs[i] = packet.Filter{Topic: []byte(f), QoS: qos}
	}
	b, err := packet.NewSubscribe(id, fs...).Append(c.enc[:0])
	if err != nil {
		return nil, fmt.Errorf("load: subscribe to %d filters: %w", len(filters), err)
	}
	if err := c.send(b); err != nil {
		return nil, fmt.Errorf("load: subscribe to %d filters: %w", len(filters), err)
	}
	p, err := c.r.ReadPacket()
	if err != nil {
		return nil, fmt.Errorf("load: subscribe to %d filters: waiting for SUBACK: %w", len(filters), err)
	}
	ack, ok := p.(*packet.Suback)
	if !ok || ack.PacketID != id || len(ack.ReturnCodes) != len(filters) {
		return nil, fmt.Errorf("load: subscribe to %d filters: got %v, want the SUBACK for packet %d with %d codes", len(filters), p.Type(), id, len(filters))
	}
	return append([]byte(nil), ack.ReturnCodes...), nil
}

// subscribe subscribes to topic at qos and waits for the SUBACK.
func (c *conn) subscribe(topic string, qos packet.QoS) error {
	sub := packet.NewSubscribe(1, packet.Filter{Topic: []byte(topic), QoS: qos})
	b, err := sub.Append(c.enc[:0])
	if err != nil {
		return fmt.Errorf("load: subscribe %q: %w", topic, err)
	}
	if err := c.send(b); err != nil {
		return fmt.Errorf("load: subscribe %q: %w", topic, err)
	}
	p, err := c.r.ReadPacket()
	if err != nil {
		return fmt.Errorf("load: subscribe %q: waiting for SUBACK: %w", topic, err)
	}
	ack, ok := p.(*packet.Suback)
	if !ok || ack.PacketID != 1 || len(ack.ReturnCodes) != 1 {
		return fmt.Errorf("load: subscribe %q: got %v, want the SUBACK for packet 1", topic, p.Type())
	}
	if code := ack.ReturnCodes[0]; code != byte(qos) {
		return fmt.Errorf("load: subscribe %q: broker granted %#x, want QoS %d", topic, code, qos)
	}
	return nil
}

// send writes b and flushes.
func (c *conn) send(b []byte) error {
	if _, err := c.w.Write(b); err != nil {
		return err
	}
	return c.w.Flush()
}

// writePublish buffers one PUBLISH.
func (c *conn) writePublish(p *packet.Publish) error {
	b, err := p.Append(c.enc[:0])
	if err != nil {
		return err
	}
	c.enc = b[:0]
	_, err = c.w.Write(b)
	return err
}

// writePuback buffers one PUBACK.
func (c *conn) writePuback(id uint16) error {
	b, err := packet.Puback{PacketID: id}.Append(c.enc[:0])
	if err != nil {
		return err
	}
	_, err = c.w.Write(b)
	return err
}

// close sends DISCONNECT, best effort, and closes the connection.
func (c *conn) close() {
	c.closing.Store(true)
	if b, err := (packet.Disconnect{}).Append(c.enc[:0]); err == nil {
		c.nc.SetWriteDeadline(time.Now().Add(time.Second))
		c.send(b)
	}
	c.nc.Close()
}

// interrupt makes the goroutine blocked reading c return from its read,
// which then sees that the connection is closing. Unlike close, it is safe
// while another goroutine writes.
func (c *conn) interrupt() {
	c.closing.Store(true)
	c.nc.SetReadDeadline(time.Now())
}

// abort closes the connection at once, for a run that is being cancelled.
func (c *conn) abort() {
	c.closing.Store(true)
	c.nc.Close()
}

// readError reports err from a read, or nil when the connection was being
// closed on purpose.
func (c *conn) readError(who string, err error) error {
	if c.closing.Load() {
		return nil
	}
	return fmt.Errorf("load: %s: %w", who, err)
}

// flushingReader flushes the conn's pending writes before each network read.
type flushingReader struct{ c *conn }

func (f flushingReader) Read(p []byte) (int, error) {
	if f.c.w.Buffered() > 0 {
		if err := f.c.w.Flush(); err != nil {
			return 0, err
		}
	}
	return f.c.nc.Read(p)
}
