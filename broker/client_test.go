package broker_test

import (
	"bytes"
	"flag"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// wait bounds every wait of a test for something the broker must do.
const wait = 5 * time.Second

// newBroker returns a broker that is closed when the test ends.
func newBroker(t testing.TB, cfg broker.Config) *broker.Broker {
	t.Helper()
	b, err := broker.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// smallLimits keeps test brokers small and their bounds easy to reach.
func smallLimits() broker.Limits {
	return broker.Limits{
		MaxSessions:       8,
		MaxSubscriptions:  4,
		MaxInflight:       4,
		MaxQueued:         8,
		MaxRetained:       4,
		MaxTopicLength:    64,
		MaxPayloadSize:    256,
		MaxPacketSize:     512,
		MaxClientIDLength: 23,
	}
}

// A client is a test MQTT client on the codec, over an in-memory pipe.
type client struct {
	t       testing.TB
	conn    net.Conn
	in      chan packet.Packet // owned copies of what the broker sent
	readErr chan error
	served  chan error // what ServeConn returned
	nextID  uint16     // the last packet identifier used
}

// viaEvents makes dial serve its pipes with ServeEvents instead of
// ServeConn, so that every test of a client runs over either path. CI runs
// the package both ways.
var viaEvents = flag.Bool("events", false, "serve the test clients with ServeEvents")

// dial starts serving one end of a pipe and returns a client on the other.
func dial(t testing.TB, b *broker.Broker) *client {
	t.Helper()
	srv, cli := net.Pipe()
	c := &client{t: t, conn: cli, in: make(chan packet.Packet, 4096), readErr: make(chan error, 1), served: make(chan error, 1)}
	if *viaEvents {
		p := &eventPipe{Conn: srv, ended: c.served}
		if err := b.ServeEvents(p, ""); err != nil {
			c.served <- err
		} else {
			go p.pump()
		}
	} else {
		go func() { c.served <- b.ServeConn(srv) }()
	}
	go c.readLoop()
	t.Cleanup(func() { cli.Close() })
	return c
}

// An eventPipe serves a pipe to ServeEvents: it reads the pipe into a
// buffer on a goroutine of its own and tells the broker when bytes come,
// as a poller tells of a socket.
type eventPipe struct {
	net.Conn
	ended chan error

	mu    sync.Mutex
	buf   []byte
	err   error
	armed bool
	ec    broker.EventConn
}

func (p *eventPipe) pump() {
	b := make([]byte, 4096)
	for {
		n, err := p.Conn.Read(b)
		p.mu.Lock()
		p.buf = append(p.buf, b[:n]...)
		p.err = err
		ec, armed := p.ec, p.armed
		p.armed = false
		p.mu.Unlock()
		if armed {
			ec.Readable()
		}
		if err != nil {
			return
		}
	}
}

func (p *eventPipe) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case len(p.buf) > 0:
		n := copy(b, p.buf)
		p.buf = p.buf[:copy(p.buf, p.buf[n:])]
		return n, nil
	case p.err != nil:
		return 0, p.err
	}
	return 0, broker.ErrWouldBlock
}

func (p *eventPipe) WaitRead(ec broker.EventConn) error {
	p.mu.Lock()
	ready := len(p.buf) > 0 || p.err != nil
	p.ec, p.armed = ec, !ready
	p.mu.Unlock()
	if ready {
		ec.Readable()
	}
	return nil
}

func (p *eventPipe) Ended(err error) { p.ended <- err }

func (c *client) readLoop() {
	rd := packet.NewReader(c.conn, make([]byte, 1<<20))
	for {
		p, err := rd.ReadPacket()
		if err != nil {
			c.readErr <- err
			close(c.in)
			return
		}
		c.in <- clone(p)
	}
}

// clone copies a decoded packet out of the reader's storage.
func clone(p packet.Packet) packet.Packet {
	switch p := p.(type) {
	case *packet.Publish:
		q := *p
		q.Topic = bytes.Clone(p.Topic)
		q.Payload = bytes.Clone(p.Payload)
		return &q
	case *packet.Suback:
		q := *p
		q.ReturnCodes = bytes.Clone(p.ReturnCodes)
		return &q
	case *packet.Connack:
		q := *p
		return &q
	case *packet.Puback:
		q := *p
		return &q
	case *packet.Pubrec:
		q := *p
		return &q
	case *packet.Pubrel:
		q := *p
		return &q
	case *packet.Pubcomp:
		q := *p
		return &q
	case *packet.Unsuback:
		q := *p
		return &q
	case *packet.Pingresp:
		return &packet.Pingresp{}
	}
	return p
}

func (c *client) send(p packet.Packet) {
	c.t.Helper()
	b, err := p.Append(nil)
	if err != nil {
		c.t.Fatalf("encode %T: %v", p, err)
	}
	c.sendRaw(b)
}

func (c *client) sendRaw(b []byte) {
	c.t.Helper()
	c.conn.SetWriteDeadline(time.Now().Add(wait))
	if _, err := c.conn.Write(b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// trySend sends without failing the test, for writes that may meet a
// connection the broker has just closed.
func (c *client) trySend(p packet.Packet) error {
	b, _ := p.Append(nil)
	c.conn.SetWriteDeadline(time.Now().Add(wait))
	_, err := c.conn.Write(b)
	return err
}

// recv returns the next packet from the broker.
func (c *client) recv() packet.Packet {
	c.t.Helper()
	select {
	case p, ok := <-c.in:
		if !ok {
			c.t.Fatalf("connection closed while waiting for a packet: %v", c.lastErr())
		}
		return p
	case <-time.After(wait):
		c.t.Fatalf("no packet within %v", wait)
	}
	return nil
}

func (c *client) lastErr() error {
	select {
	case err := <-c.readErr:
		return err
	default:
		return nil
	}
}

// expectClosed waits for the broker to close the connection, with no
// other packet before, and returns what ServeConn returned.
func (c *client) expectClosed() error {
	c.t.Helper()
	for {
		select {
		case p, ok := <-c.in:
			if ok {
				c.t.Fatalf("got %T %+v, want the connection closed", p, p)
			}
			select {
			case err := <-c.served:
				return err
			case <-time.After(wait):
				c.t.Fatalf("ServeConn did not return")
			}
		case <-time.After(wait):
			c.t.Fatalf("connection still open after %v", wait)
		}
	}
}

func recvAs[T packet.Packet](c *client) T {
	c.t.Helper()
	p := c.recv()
	v, ok := p.(T)
	if !ok {
		var want T
		c.t.Fatalf("got %T %+v, want %T", p, p, want)
	}
	return v
}

type connectOpt func(*packet.Connect)

func (c *client) connect(id string, clean bool, opts ...connectOpt) *packet.Connack {
	c.t.Helper()
	p := packet.Connect{ClientID: []byte(id), CleanSession: clean}
	for _, o := range opts {
		o(&p)
	}
	c.send(p)
	return recvAs[*packet.Connack](c)
}

// mustConnect connects and fails unless the broker accepts.
func mustConnect(t testing.TB, b *broker.Broker, id string, clean bool, opts ...connectOpt) *client {
	t.Helper()
	c := dial(t, b)
	if ack := c.connect(id, clean, opts...); ack.ReturnCode != packet.Accepted {
		t.Fatalf("CONNACK %d, want 0", ack.ReturnCode)
	}
	return c
}

func withWill(topic, msg string, qos packet.QoS, retain bool) connectOpt {
	return func(p *packet.Connect) {
		p.WillFlag, p.WillTopic, p.WillMessage, p.WillQoS, p.WillRetain = true, []byte(topic), []byte(msg), qos, retain
	}
}

func withUser(name, password string) connectOpt {
	return func(p *packet.Connect) {
		p.UsernameFlag, p.Username = true, []byte(name)
		if password != "" {
			p.PasswordFlag, p.Password = true, []byte(password)
		}
	}
}

func withKeepAlive(s uint16) connectOpt { return func(p *packet.Connect) { p.KeepAlive = s } }

func (c *client) subscribe(filter string, qos packet.QoS) byte {
	c.t.Helper()
	return c.subscribeMany(packet.Filter{Topic: []byte(filter), QoS: qos})[0]
}

func (c *client) subscribeMany(fs ...packet.Filter) []byte {
	c.t.Helper()
	c.nextID++
	c.send(packet.NewSubscribe(c.nextID, fs...))
	ack := recvAs[*packet.Suback](c)
	if ack.PacketID != c.nextID || len(ack.ReturnCodes) != len(fs) {
		c.t.Fatalf("SUBACK %+v for SUBSCRIBE %d of %d filters", ack, c.nextID, len(fs))
	}
	return ack.ReturnCodes
}

// publish sends a PUBLISH and completes its acknowledgement flow, so that
// on return the broker has routed it.
func (c *client) publish(topic, payload string, qos packet.QoS, retain bool) {
	c.t.Helper()
	c.nextID++
	id := c.nextID
	p := packet.Publish{Topic: []byte(topic), Payload: []byte(payload), QoS: qos, Retain: retain}
	if qos > 0 {
		p.PacketID = id
	}
	c.send(p)
	switch qos {
	case 0:
		c.ping()
	case 1:
		if ack := recvAs[*packet.Puback](c); ack.PacketID != id {
			c.t.Fatalf("PUBACK %d, want %d", ack.PacketID, id)
		}
	case 2:
		if rec := recvAs[*packet.Pubrec](c); rec.PacketID != id {
			c.t.Fatalf("PUBREC %d, want %d", rec.PacketID, id)
		}
		c.send(packet.Pubrel{PacketID: id})
		if comp := recvAs[*packet.Pubcomp](c); comp.PacketID != id {
			c.t.Fatalf("PUBCOMP %d, want %d", comp.PacketID, id)
		}
	}
}

// ping makes a PINGREQ round trip. The broker answers packets in order
// and writes a connection's packets in order, so once PINGRESP arrives
// everything the broker queued for this client before it has arrived too.
func (c *client) ping() {
	c.t.Helper()
	c.send(packet.Pingreq{})
	recvAs[*packet.Pingresp](c)
}

// expectNothing checks, with a PINGREQ round trip, that no packet is
// waiting for the client.
func (c *client) expectNothing() {
	c.t.Helper()
	c.send(packet.Pingreq{})
	if p := c.recv(); p.Type() != packet.PINGRESP {
		c.t.Fatalf("got %T %+v, want nothing", p, p)
	}
}

// expectPublish receives a PUBLISH and checks its topic and payload.
func (c *client) expectPublish(topic, payload string) *packet.Publish {
	c.t.Helper()
	p := recvAs[*packet.Publish](c)
	if string(p.Topic) != topic || string(p.Payload) != payload {
		c.t.Fatalf("PUBLISH %q %q, want %q %q", p.Topic, p.Payload, topic, payload)
	}
	return p
}

// ack acknowledges a delivered QoS 1 or 2 PUBLISH completely.
func (c *client) ack(p *packet.Publish) {
	c.t.Helper()
	switch p.QoS {
	case 1:
		c.send(packet.Puback{PacketID: p.PacketID})
	case 2:
		c.send(packet.Pubrec{PacketID: p.PacketID})
		if rel := recvAs[*packet.Pubrel](c); rel.PacketID != p.PacketID {
			c.t.Fatalf("PUBREL %d, want %d", rel.PacketID, p.PacketID)
		}
		c.send(packet.Pubcomp{PacketID: p.PacketID})
	}
}

func (c *client) disconnect() {
	c.t.Helper()
	c.send(packet.Disconnect{})
	if err := c.expectClosed(); err != nil {
		c.t.Fatalf("ServeConn after DISCONNECT: %v", err)
	}
}

// drop closes the client's end without DISCONNECT, like a lost network,
// and waits for the broker to finish with the connection.
func (c *client) drop() error {
	c.t.Helper()
	c.conn.Close()
	select {
	case err := <-c.served:
		return err
	case <-time.After(wait):
		c.t.Fatalf("ServeConn did not return after the client dropped")
	}
	return nil
}

func timeAfterWait() <-chan time.Time { return time.After(wait) }
