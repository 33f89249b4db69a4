//go:build linux

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.bug.st/serial"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/boards/firmware"
	"github.com/gatomqtt/gatomqtt/boards/link"
	"github.com/gatomqtt/gatomqtt/boards/rfc2217"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// patience bounds every wait of these tests. The twin answers in
// milliseconds; a faulty line costs retransmission timeouts of tens.
const patience = 20 * time.Second

// output collects what run writes and says when its first line is there.
type output struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	first chan string // the first line, once
}

func newOutput() *output { return &output{first: make(chan string, 1)} }

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	had := bytes.IndexByte(o.buf.Bytes(), '\n') >= 0
	o.buf.Write(p)
	if i := bytes.IndexByte(o.buf.Bytes(), '\n'); !had && i >= 0 {
		o.first <- string(o.buf.Bytes()[:i])
	}
	return len(p), nil
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// waitLine waits for the first line of out, the slave path.
func waitLine(t *testing.T, first <-chan string, what string) string {
	t.Helper()
	select {
	case line := <-first:
		return line
	case <-time.After(patience):
		t.Fatalf("%s printed no line in %v", what, patience)
		return ""
	}
}

// startTwin runs the twin in-process with args and returns the slave
// path it printed. When the test ends the twin is stopped as by a signal,
// and must exit 0 having printed that one line and nothing else.
func startTwin(t *testing.T, args ...string) string {
	t.Helper()
	path, _ := startTwinOutput(t, args...)
	return path
}

// startTwinOutput is startTwin, also returning what the twin writes to
// stderr, which must be empty without -v unless it drew a TLS-PSK key
// (-psk without -psk-key), which the caller checks.
func startTwinOutput(t *testing.T, args ...string) (string, *output) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := newOutput(), newOutput()
	status := make(chan int, 1)
	go func() { status <- run(ctx, args, stdout, stderr) }()
	var path string
	select {
	case path = <-stdout.first:
	case s := <-status:
		cancel()
		t.Fatalf("twin %q exited with %d before printing its path; stderr: %s", args, s, stderr)
	case <-time.After(patience):
		cancel()
		t.Fatalf("twin %q printed no path in %v", args, patience)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case s := <-status:
			if s != 0 {
				t.Errorf("twin exited with %d, want 0; stderr: %s", s, stderr)
			}
		case <-time.After(patience):
			t.Errorf("twin still running %v after its context was cancelled", patience)
		}
		if out := stdout.String(); out != path+"\n" {
			t.Errorf("stdout = %q, want only the path line", out)
		}
		drew := slices.Contains(args, "-psk") && !slices.Contains(args, "-psk-key")
		if errOut := stderr.String(); errOut != "" && !slices.Contains(args, "-v") && !drew {
			t.Errorf("stderr without -v: %q", errOut)
		}
	})
	return path, stderr
}

// host opens the twin's port as the harness does and runs the host's end
// of the link over it, with profile's link config and a fresh epoch.
func host(t *testing.T, path string, profile *boards.Profile) (*link.Link, *firmware.Client) {
	t.Helper()
	var port io.ReadWriteCloser
	if addr, ok := strings.CutPrefix(path, "rfc2217://"); ok {
		ctx, cancel := context.WithTimeout(context.Background(), patience)
		defer cancel()
		p, err := rfc2217.Dial(ctx, addr)
		if err != nil {
			t.Fatalf("rfc2217.Dial(%s): %v", addr, err)
		}
		if _, err := p.SetBaudRate(ctx, profile.Baud); err != nil {
			t.Fatalf("%s: SetBaudRate: %v", addr, err)
		}
		port = p
	} else {
		p, err := serial.Open(path, &serial.Mode{BaudRate: profile.Baud})
		if err != nil {
			t.Fatalf("serial.Open(%s): %v", path, err)
		}
		port = p
	}
	cfg := profile.Link
	var b [4]byte
	for cfg.Epoch == 0 {
		rand.Read(b[:])
		cfg.Epoch = binary.LittleEndian.Uint32(b[:])
	}
	l, err := link.New(port, cfg) // closes port when it stops
	if err != nil {
		port.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, firmware.NewClient(l.Control(), nil)
}

// received is one packet from the broker, copied out of the reader's
// buffer.
type received struct {
	p   packet.Packet
	err error
}

// mqttConn is an MQTT connection over one link stream, or over a TLS
// connection on one. A goroutine reads it, so that every wait for a
// packet can be bounded.
type mqttConn struct {
	t  *testing.T
	s  io.ReadWriteCloser
	in chan received
}

func dialMQTT(t *testing.T, l *link.Link, clientID string) *mqttConn {
	t.Helper()
	s, err := l.Open()
	if err != nil {
		t.Fatalf("open a stream: %v", err)
	}
	return connectMQTT(t, s, clientID)
}

// connectMQTT sends a clean-session CONNECT over s and waits for its
// CONNACK.
func connectMQTT(t *testing.T, s io.ReadWriteCloser, clientID string) *mqttConn {
	t.Helper()
	c := &mqttConn{t: t, s: s, in: make(chan received, 64)}
	go c.readLoop()
	c.send(packet.Connect{CleanSession: true, KeepAlive: 60, ClientID: []byte(clientID)})
	ack, ok := c.recv().(*packet.Connack)
	if !ok || ack.ReturnCode != packet.Accepted {
		t.Fatalf("%s: CONNECT answered with %+v, want CONNACK 0", clientID, ack)
	}
	return c
}

func (c *mqttConn) readLoop() {
	r := packet.NewReader(c.s, make([]byte, 1024))
	for {
		p, err := r.ReadPacket()
		if err != nil {
			c.in <- received{err: err}
			return
		}
		c.in <- received{p: clonePacket(p)}
	}
}

// clonePacket copies what the tests look at out of the reader's buffer.
func clonePacket(p packet.Packet) packet.Packet {
	switch p := p.(type) {
	case *packet.Connack:
		v := *p
		return &v
	case *packet.Puback:
		v := *p
		return &v
	case *packet.Suback:
		v := *p
		v.ReturnCodes = slices.Clone(p.ReturnCodes)
		return &v
	case *packet.Publish:
		v := *p
		v.Topic, v.Payload = slices.Clone(p.Topic), slices.Clone(p.Payload)
		return &v
	case *packet.Pingresp:
		return &packet.Pingresp{}
	}
	return p // not looked into
}

func (c *mqttConn) send(p packet.Packet) {
	c.t.Helper()
	b, err := p.Append(nil)
	if err != nil {
		c.t.Fatalf("encode %v: %v", p.Type(), err)
	}
	if _, err := c.s.Write(b); err != nil {
		c.t.Fatalf("send %v: %v", p.Type(), err)
	}
}

// recv returns the next packet, failing the test on an error or after
// patience.
func (c *mqttConn) recv() packet.Packet {
	c.t.Helper()
	p, err := c.next()
	if err != nil {
		c.t.Fatal(err)
	}
	return p
}

func (c *mqttConn) next() (packet.Packet, error) {
	select {
	case r := <-c.in:
		return r.p, r.err
	case <-time.After(patience):
		return nil, fmt.Errorf("no packet in %v", patience)
	}
}

// checkHello checks that the board says it is profile's, run by
// platform, with profile's limits and no TLS-PSK.
func checkHello(t *testing.T, c *firmware.Client, profile *boards.Profile, platform string) {
	t.Helper()
	checkHelloPSK(t, c, profile, platform, "")
}

// checkHelloPSK is checkHello for a board serving TLS-PSK as identity.
func checkHelloPSK(t *testing.T, c *firmware.Client, profile *boards.Profile, platform, identity string) {
	t.Helper()
	h, err := c.Hello(patience)
	if err != nil {
		t.Fatalf("hello: %v", err)
	}
	lim := profile.Limits
	want := firmware.Hello{
		Board: profile.Name, Chip: profile.Chip, Version: h.Version, BuildID: h.BuildID, Platform: platform,
		PSKIdentity: identity,
		MaxSessions: u(lim.MaxSessions), MaxConnections: u(lim.MaxConnections),
		MaxSubscriptions: u(lim.MaxSubscriptions), MaxInflight: u(lim.MaxInflight),
		MaxQueued: u(lim.MaxQueued), MaxMessages: u(lim.MaxMessages), MaxRetained: u(lim.MaxRetained),
		MaxTopicLength: u(lim.MaxTopicLength), MaxPayloadSize: u(lim.MaxPayloadSize),
		MaxPacketSize: u(lim.MaxPacketSize),
		StateBytes:    h.StateBytes, LinkBytes: u(profile.Link.StateBytes()),
	}
	if h != want {
		t.Errorf("hello = %+v\nwant    %+v", h, want)
	}
	if h.StateBytes == 0 || h.Version == "" {
		t.Errorf("hello: StateBytes %d, Version %q", h.StateBytes, h.Version)
	}
}

func u(n int) uint64 { return uint64(n) }
