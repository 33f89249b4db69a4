package client

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// fakeServer is the other end of a net.Pipe that reads packets and answers
// with whatever its script says.
type fakeServer struct {
	conn net.Conn
	got  chan packet.Packet
}

func newPair(t *testing.T) (*RawClient, *fakeServer) {
	t.Helper()
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	return NewRawClient(a), &fakeServer{conn: b, got: make(chan packet.Packet, 16)}
}

// readOne reads one packet from the client side, copying it out of the
// decoder's storage via Describe for comparison.
func (s *fakeServer) readOne(t *testing.T) string {
	t.Helper()
	r := packet.NewReader(s.conn, make([]byte, 1024))
	p, err := r.ReadPacket()
	if err != nil {
		t.Errorf("fake server read: %v", err)
		return ""
	}
	return Describe(p)
}

func (s *fakeServer) send(t *testing.T, ps ...packet.Packet) {
	t.Helper()
	var out []byte
	for _, p := range ps {
		var err error
		if out, err = p.Append(out); err != nil {
			t.Errorf("fake server encode: %v", err)
			return
		}
	}
	if _, err := s.conn.Write(out); err != nil {
		t.Errorf("fake server write: %v", err)
	}
}

func TestRawConnectAndTypedExpects(t *testing.T) {
	c, s := newPair(t)
	done := make(chan string, 1)
	go func() {
		done <- s.readOne(t)
		// Two packets in one write, then one split across writes.
		s.send(t, packet.Connack{SessionPresent: true}, packet.Puback{PacketID: 7})
		b, _ := packet.Publish{QoS: 1, PacketID: 9, Dup: true, Topic: []byte("a/b"), Payload: []byte("hi")}.Append(nil)
		s.conn.Write(b[:3])
		s.conn.Write(b[3:])
	}()
	ack, err := c.Connect(ConnectOptions{ClientID: "c1", CleanSession: true, Username: "u", Password: "p"}, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got := <-done; !strings.Contains(got, `id="c1"`) || !strings.Contains(got, `user="u"`) {
		t.Errorf("server saw %s", got)
	}
	if !ack.SessionPresent || ack.ReturnCode != packet.Accepted {
		t.Errorf("CONNACK = %s", Describe(ack))
	}
	if err := c.ExpectPuback(7, time.Second); err != nil {
		t.Fatal(err)
	}
	pub, err := c.ExpectPublish(time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Dup || pub.PacketID != 9 || string(pub.Topic) != "a/b" || string(pub.Payload) != "hi" {
		t.Errorf("PUBLISH = %s", Describe(pub))
	}
}

func TestRawPacketsOutliveLaterReads(t *testing.T) {
	c, s := newPair(t)
	go s.send(t, packet.Publish{Topic: []byte("first"), Payload: []byte("1")},
		packet.Publish{Topic: []byte("second"), Payload: []byte("2")})
	p1, err := c.ExpectPublish(time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExpectPublish(time.Second); err != nil {
		t.Fatal(err)
	}
	if string(p1.Topic) != "first" || string(p1.Payload) != "1" {
		t.Errorf("first packet changed by the second read: %s", Describe(p1))
	}
}

func TestRawExpectErrorsAreDescriptive(t *testing.T) {
	c, s := newPair(t)
	go s.send(t, packet.Publish{QoS: 1, PacketID: 3, Topic: []byte("t"), Payload: []byte("x")})
	err := c.ExpectPuback(7, time.Second)
	if err == nil {
		t.Fatal("ExpectPuback accepted a PUBLISH")
	}
	for _, want := range []string{"expected PUBACK for id 7", "got PUBLISH(qos=1 id=3", "after"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}

	go s.send(t, packet.Puback{PacketID: 8})
	if err := c.ExpectPuback(7, time.Second); err == nil || !strings.Contains(err.Error(), "got PUBACK(id=8)") {
		t.Errorf("wrong id: error = %v", err)
	}
}

func TestRawTimeoutAndNothing(t *testing.T) {
	c, _ := newPair(t)
	start := time.Now()
	_, err := c.Read(50 * time.Millisecond)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("Read on a silent server: %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d < 50*time.Millisecond || d > 2*time.Second {
		t.Errorf("Read returned after %s, want about 50ms", d)
	}
	if err := c.ExpectNothing(20 * time.Millisecond); err != nil {
		t.Errorf("ExpectNothing on a silent server: %v", err)
	}
	if err := c.ExpectClosed(20 * time.Millisecond); err == nil || !strings.Contains(err.Error(), "still open") {
		t.Errorf("ExpectClosed on an open connection: %v", err)
	}
}

func TestRawExpectClosed(t *testing.T) {
	t.Run("closed", func(t *testing.T) {
		c, s := newPair(t)
		go s.conn.Close()
		if err := c.ExpectClosed(time.Second); err != nil {
			t.Errorf("ExpectClosed after the server closed: %v", err)
		}
	})
	t.Run("packet first", func(t *testing.T) {
		c, s := newPair(t)
		go func() {
			s.send(t, packet.Connack{ReturnCode: packet.RefusedNotAuthorized})
			s.conn.Close()
		}()
		err := c.ExpectClosed(time.Second)
		if err == nil || !strings.Contains(err.Error(), "got CONNACK(code=5") {
			t.Errorf("ExpectClosed with a CONNACK first: %v", err)
		}
		if err := c.ExpectClosed(time.Second); err != nil {
			t.Errorf("ExpectClosed after reading the CONNACK: %v", err)
		}
	})
	t.Run("closed inside a packet", func(t *testing.T) {
		c, s := newPair(t)
		go func() {
			s.conn.Write([]byte{0x30, 10, 0})
			s.conn.Close()
		}()
		_, err := c.Read(time.Second)
		if !errors.Is(err, ErrClosed) || !strings.Contains(err.Error(), "incomplete packet") {
			t.Errorf("Read of a truncated packet: %v", err)
		}
	})
	t.Run("nothing then closed", func(t *testing.T) {
		c, s := newPair(t)
		go s.conn.Close()
		err := c.ExpectNothing(time.Second)
		if err == nil || !errors.Is(err, ErrClosed) {
			t.Errorf("ExpectNothing on a closed connection: %v", err)
		}
	})
}

func TestRawSendBytesAndMalformedAnswers(t *testing.T) {
	c, s := newPair(t)
	got := make(chan []byte, 1)
	go func() {
		b := make([]byte, 8)
		n, _ := s.conn.Read(b)
		got <- b[:n]
		s.conn.Write([]byte{0x20, 0x02, 0x02, 0x00}) // CONNACK with reserved bits set
		s.conn.Write([]byte{0xf0, 0x00})             // reserved type 15
	}()
	if err := c.SendBytes([]byte{0xc0, 0x00}); err != nil {
		t.Fatal(err)
	}
	if b := <-got; string(b) != "\xc0\x00" {
		t.Errorf("server got % x, want c0 00", b)
	}
	_, err := c.Read(time.Second)
	if !errors.Is(err, packet.ErrConnackReserved) || !strings.Contains(err.Error(), "malformed packet 20 02 02 00") {
		t.Errorf("Read of a CONNACK with reserved bits: %v", err)
	}
	_, err = c.Read(time.Second)
	if !errors.Is(err, packet.ErrUnknownType) || !strings.Contains(err.Error(), "f0 00") {
		t.Errorf("Read of a reserved packet type: %v", err)
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		p    packet.Packet
		want string
	}{
		{&packet.Connack{ReturnCode: packet.RefusedBadUsernamePassword}, "CONNACK(code=4 bad user name or password, session present=false)"},
		{&packet.Publish{Topic: []byte("a"), Payload: []byte("xy")}, `PUBLISH(qos=0 dup=false retain=false topic="a" payload=2 bytes "xy")`},
		{&packet.Publish{QoS: 2, PacketID: 5, Retain: true, Topic: []byte("a")}, `PUBLISH(qos=2 id=5 dup=false retain=true topic="a" payload=0 bytes "")`},
		{packet.NewSubscribe(3, packet.Filter{Topic: []byte("a/+"), QoS: 1}, packet.Filter{Topic: []byte("#")}), `SUBSCRIBE(id=3 "a/+"@1 "#"@0)`},
		{&packet.Suback{PacketID: 1, ReturnCodes: []byte{0, 0x80}}, "SUBACK(id=1 codes=[0 128])"},
		{packet.NewUnsubscribe(4, []byte("a/+"), []byte("#")), `UNSUBSCRIBE(id=4 ["a/+" "#"])`},
		{&packet.Pingresp{}, "PINGRESP"},
		{nil, "no packet"},
		{ConnectOptions{ClientID: "x", Password: "secret", Username: "u"}.Packet(),
			`CONNECT(level=4 clean=false keepalive=0 id="x" user="u" password=xxx)`},
	}
	for _, tt := range tests {
		if got := Describe(tt.p); got != tt.want {
			t.Errorf("Describe = %s\nwant       %s", got, tt.want)
		}
	}
}
