package packet_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// unhex turns "30 0a 00 03 61 2f 62" into bytes; spaces are for reading.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

var roundTrips = []struct {
	name string
	p    packet.Packet
	wire string
}{
	{"connect minimal", &packet.Connect{ProtocolLevel: 4, CleanSession: true, KeepAlive: 60, ClientID: []byte("c1")},
		"10 0e 0004 4d515454 04 02 003c 0002 6331"},
	{"connect empty client id", &packet.Connect{ProtocolLevel: 4, CleanSession: true, ClientID: []byte{}},
		"10 0c 0004 4d515454 04 02 0000 0000"},
	{"connect full", &packet.Connect{ProtocolLevel: 4, KeepAlive: 10, ClientID: []byte("id"),
		WillFlag: true, WillQoS: 2, WillRetain: true, WillTopic: []byte("w/t"), WillMessage: []byte("bye"),
		UsernameFlag: true, Username: []byte("u"), PasswordFlag: true, Password: []byte{0, 0xff}},
		"10 1f 0004 4d515454 04 f4 000a 0002 6964 0003 772f74 0003 627965 0001 75 0002 00ff"},
	{"connect username only", &packet.Connect{ProtocolLevel: 4, ClientID: []byte("x"), UsernameFlag: true, Username: []byte("é")},
		"10 11 0004 4d515454 04 80 0000 0001 78 0002 c3a9"},
	{"connack accepted", &packet.Connack{}, "20 02 00 00"},
	{"connack session present", &packet.Connack{SessionPresent: true}, "20 02 01 00"},
	{"connack refused", &packet.Connack{ReturnCode: packet.RefusedNotAuthorized}, "20 02 00 05"},
	{"publish qos0", &packet.Publish{Topic: []byte("a/b"), Payload: []byte("hi")}, "30 07 0003 612f62 6869"},
	{"publish qos0 empty payload retain", &packet.Publish{Retain: true, Topic: []byte("a"), Payload: []byte{}}, "31 03 0001 61"},
	{"publish qos1", &packet.Publish{QoS: 1, Topic: []byte("t"), PacketID: 7, Payload: []byte{1, 2}}, "32 07 0001 74 0007 0102"},
	{"publish qos2 dup", &packet.Publish{Dup: true, QoS: 2, Topic: []byte("$SYS/x"), PacketID: 0xffff, Payload: []byte{}},
		"3c 0a 0006 2453 59532f78 ffff"},
	{"puback", &packet.Puback{PacketID: 1}, "40 02 0001"},
	{"pubrec", &packet.Pubrec{PacketID: 2}, "50 02 0002"},
	{"pubrel", &packet.Pubrel{PacketID: 3}, "62 02 0003"},
	{"pubcomp", &packet.Pubcomp{PacketID: 0x1234}, "70 02 1234"},
	{"subscribe one", packet.NewSubscribe(10, packet.Filter{Topic: []byte("a/+"), QoS: 1}),
		"82 08 000a 0003 612f2b 01"},
	{"subscribe several", packet.NewSubscribe(1,
		packet.Filter{Topic: []byte("#"), QoS: 0}, packet.Filter{Topic: []byte("+/b/#"), QoS: 2}, packet.Filter{Topic: []byte("/"), QoS: 1}),
		"82 12 0001 0001 23 00 0005 2b2f622f23 02 0001 2f 01"},
	{"suback", &packet.Suback{PacketID: 10, ReturnCodes: []byte{0, 1, 2, 0x80}}, "90 06 000a 00010280"},
	{"unsubscribe", packet.NewUnsubscribe(5, []byte("a/#"), []byte("+")),
		"a2 0a 0005 0003 612f23 0001 2b"},
	{"unsuback", &packet.Unsuback{PacketID: 5}, "b0 02 0005"},
	{"pingreq", &packet.Pingreq{}, "c0 00"},
	{"pingresp", &packet.Pingresp{}, "d0 00"},
	{"disconnect", &packet.Disconnect{}, "e0 00"},
}

func TestRoundTrip(t *testing.T) {
	var d packet.Decoder
	for _, tt := range roundTrips {
		t.Run(tt.name, func(t *testing.T) {
			want := unhex(t, tt.wire)
			prefix := []byte("xy")
			got, err := tt.p.Append(prefix)
			if err != nil {
				t.Fatalf("Append: %v", err)
			}
			if !bytes.Equal(got[:2], prefix) || !bytes.Equal(got[2:], want) {
				t.Fatalf("Append = % x, want xy + % x", got, want)
			}
			if pub, ok := tt.p.(*packet.Publish); ok && pub.Len() != len(want) {
				t.Errorf("Len = %d, want %d", pub.Len(), len(want))
			}
			// Two packets back to back: Decode must stop at the first.
			stream := append(append([]byte{}, want...), want...)
			p, n, err := d.Decode(stream)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if n != len(want) {
				t.Errorf("Decode used %d bytes, want %d", n, len(want))
			}
			if p.Type() != tt.p.Type() {
				t.Errorf("Type = %v, want %v", p.Type(), tt.p.Type())
			}
			if !samePacket(p, tt.p) {
				t.Errorf("Decode = %+v, want %+v", p, tt.p)
			}
		})
	}
}

// TestRoundTripTypes checks that the table covers every packet type.
func TestRoundTripTypes(t *testing.T) {
	seen := map[packet.Type]bool{}
	for _, tt := range roundTrips {
		seen[tt.p.Type()] = true
	}
	for ty := packet.CONNECT; ty <= packet.DISCONNECT; ty++ {
		if !seen[ty] {
			t.Errorf("no round trip for %v", ty)
		}
	}
}

// TestRemainingLengthSizes round-trips PUBLISH packets whose remaining
// length needs each of the one to four bytes, at both edges.
func TestRemainingLengthSizes(t *testing.T) {
	var d packet.Decoder
	for _, tc := range []struct{ remaining, headerSize int }{
		{127, 2}, {128, 3}, {16383, 3}, {16384, 4}, {2097151, 4}, {2097152, 5},
	} {
		p := packet.Publish{Topic: []byte("t"), Payload: make([]byte, tc.remaining-3)}
		b, err := p.Append(nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) != tc.headerSize+tc.remaining || p.Len() != len(b) {
			t.Errorf("remaining %d: encoded %d bytes, Len %d, want %d", tc.remaining, len(b), p.Len(), tc.headerSize+tc.remaining)
		}
		h, err := packet.ParseHeader(b, 0)
		if err != nil || h.Remaining != tc.remaining || h.Size != tc.headerSize || h.Type != packet.PUBLISH {
			t.Errorf("ParseHeader = %+v, %v", h, err)
		}
		q, n, err := d.Decode(b)
		if err != nil || n != len(b) || !samePacket(q, &p) {
			t.Errorf("remaining %d: Decode n=%d err=%v", tc.remaining, n, err)
		}
	}
}

// TestAppendKeepsDst checks that a refused Append leaves dst as it was.
func TestAppendKeepsDst(t *testing.T) {
	dst := []byte("keep")
	got, err := packet.Publish{QoS: 3, Topic: []byte("t")}.Append(dst)
	if !errors.Is(err, packet.ErrInvalidQoS) || string(got) != "keep" {
		t.Errorf("Append = %q, %v", got, err)
	}
}

func samePacket(a, b packet.Packet) bool {
	switch x := a.(type) {
	case *packet.Connect:
		y, ok := b.(*packet.Connect)
		return ok && x.ProtocolLevel == y.ProtocolLevel && x.CleanSession == y.CleanSession &&
			x.KeepAlive == y.KeepAlive && bytes.Equal(x.ClientID, y.ClientID) &&
			x.WillFlag == y.WillFlag && x.WillQoS == y.WillQoS && x.WillRetain == y.WillRetain &&
			bytes.Equal(x.WillTopic, y.WillTopic) && bytes.Equal(x.WillMessage, y.WillMessage) &&
			x.UsernameFlag == y.UsernameFlag && bytes.Equal(x.Username, y.Username) &&
			x.PasswordFlag == y.PasswordFlag && bytes.Equal(x.Password, y.Password)
	case *packet.Connack:
		y, ok := b.(*packet.Connack)
		return ok && *x == *y
	case *packet.Publish:
		y, ok := b.(*packet.Publish)
		return ok && x.Dup == y.Dup && x.QoS == y.QoS && x.Retain == y.Retain &&
			bytes.Equal(x.Topic, y.Topic) && x.PacketID == y.PacketID && bytes.Equal(x.Payload, y.Payload)
	case *packet.Puback:
		y, ok := b.(*packet.Puback)
		return ok && *x == *y
	case *packet.Pubrec:
		y, ok := b.(*packet.Pubrec)
		return ok && *x == *y
	case *packet.Pubrel:
		y, ok := b.(*packet.Pubrel)
		return ok && *x == *y
	case *packet.Pubcomp:
		y, ok := b.(*packet.Pubcomp)
		return ok && *x == *y
	case *packet.Subscribe:
		y, ok := b.(*packet.Subscribe)
		if !ok || x.PacketID != y.PacketID {
			return false
		}
		ix, iy := x.Iter(), y.Iter()
		for {
			fx, okx := ix.Next()
			fy, oky := iy.Next()
			if okx != oky || !bytes.Equal(fx.Topic, fy.Topic) || fx.QoS != fy.QoS {
				return false
			}
			if !okx {
				return true
			}
		}
	case *packet.Suback:
		y, ok := b.(*packet.Suback)
		return ok && x.PacketID == y.PacketID && bytes.Equal(x.ReturnCodes, y.ReturnCodes)
	case *packet.Unsubscribe:
		y, ok := b.(*packet.Unsubscribe)
		if !ok || x.PacketID != y.PacketID {
			return false
		}
		ix, iy := x.Iter(), y.Iter()
		for {
			tx, okx := ix.Next()
			ty, oky := iy.Next()
			if okx != oky || !bytes.Equal(tx, ty) {
				return false
			}
			if !okx {
				return true
			}
		}
	case *packet.Unsuback:
		y, ok := b.(*packet.Unsuback)
		return ok && *x == *y
	case *packet.Pingreq:
		_, ok := b.(*packet.Pingreq)
		return ok
	case *packet.Pingresp:
		_, ok := b.(*packet.Pingresp)
		return ok
	case *packet.Disconnect:
		_, ok := b.(*packet.Disconnect)
		return ok
	}
	return false
}
