package packet_test

import (
	"bytes"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// walkFilters lists what Iter yields as "topic:qos", calling Next once
// more after the end to check that the walk stays ended.
func walkFilters(t *testing.T, p packet.Subscribe) []string {
	t.Helper()
	var got []string
	it := p.Iter()
	for f, ok := it.Next(); ok; f, ok = it.Next() {
		got = append(got, string(f.Topic)+":"+strconv.Itoa(int(f.QoS)))
	}
	if f, ok := it.Next(); ok {
		t.Errorf("Next after the end = %q, true", f.Topic)
	}
	return got
}

func walkTopics(t *testing.T, p packet.Unsubscribe) []string {
	t.Helper()
	var got []string
	it := p.Iter()
	for f, ok := it.Next(); ok; f, ok = it.Next() {
		got = append(got, string(f))
	}
	if f, ok := it.Next(); ok {
		t.Errorf("Next after the end = %q, true", f)
	}
	return got
}

func TestFilterIter(t *testing.T) {
	for _, tc := range []struct {
		name string
		wire string
		want []string
	}{
		{"one", "82 08 000a 0003 612f2b 01", []string{"a/+:1"}},
		{"several", "82 12 0001 0001 23 00 0005 2b2f622f23 02 0001 2f 01", []string{"#:0", "+/b/#:2", "/:1"}},
		{"utf-8", "82 09 0002 0004 c3a92f23 02", []string{"é/#:2"}},
		{"same filter twice", "82 0a 0003 0001 61 00 0001 61 01", []string{"a:0", "a:1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wire := unhex(t, tc.wire)
			var d packet.Decoder
			p, _, err := d.Decode(wire)
			if err != nil {
				t.Fatal(err)
			}
			s := p.(*packet.Subscribe)
			if got := walkFilters(t, *s); !slices.Equal(got, tc.want) {
				t.Errorf("Iter yields %q, want %q", got, tc.want)
			}
			if got := walkFilters(t, *s); !slices.Equal(got, tc.want) {
				t.Errorf("a second Iter yields %q, want %q", got, tc.want)
			}
			if !bytes.Equal(s.Payload, wire[4:]) {
				t.Errorf("Payload = % x, want % x", s.Payload, wire[4:])
			}
			// Append re-encodes what was decoded.
			if enc, err := s.Append(nil); err != nil || !bytes.Equal(enc, wire) {
				t.Errorf("Append = % x, %v; want % x", enc, err, wire)
			}
		})
	}
}

func TestTopicIter(t *testing.T) {
	for _, tc := range []struct {
		name string
		wire string
		want []string
	}{
		{"one", "a2 05 0005 0001 2b", []string{"+"}},
		{"several", "a2 0a 0005 0003 612f23 0001 2b", []string{"a/#", "+"}},
		{"utf-8", "a2 08 0002 0004 c3a92f23", []string{"é/#"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wire := unhex(t, tc.wire)
			var d packet.Decoder
			p, _, err := d.Decode(wire)
			if err != nil {
				t.Fatal(err)
			}
			u := p.(*packet.Unsubscribe)
			if got := walkTopics(t, *u); !slices.Equal(got, tc.want) {
				t.Errorf("Iter yields %q, want %q", got, tc.want)
			}
			if !bytes.Equal(u.Payload, wire[4:]) {
				t.Errorf("Payload = % x, want % x", u.Payload, wire[4:])
			}
			if enc, err := u.Append(nil); err != nil || !bytes.Equal(enc, wire) {
				t.Errorf("Append = % x, %v; want % x", enc, err, wire)
			}
		})
	}
}

// TestIterBuiltPackets walks packets that were not decoded: those
// NewSubscribe and NewUnsubscribe build, and payloads set by hand, where
// the walk stops at a filter cut short.
func TestIterBuiltPackets(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    packet.Subscribe
		want []string
	}{
		{"zero", packet.Subscribe{}, nil},
		{"built", *packet.NewSubscribe(1, packet.Filter{Topic: []byte("a"), QoS: 2}, packet.Filter{Topic: []byte("b/#")}), []string{"a:2", "b/#:0"}},
		{"built empty", *packet.NewSubscribe(1), nil},
		{"cut in the length", packet.Subscribe{Payload: []byte("\x00\x01c\x01\x00")}, []string{"c:1"}},
		{"cut in the topic", packet.Subscribe{Payload: []byte("\x00\x01c\x01\x00\x05ab")}, []string{"c:1"}},
		{"no QoS byte", packet.Subscribe{Payload: []byte("\x00\x01c\x01\x00\x01d")}, []string{"c:1"}},
	} {
		if got := walkFilters(t, tc.p); !slices.Equal(got, tc.want) {
			t.Errorf("%s: Iter yields %q, want %q", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		name string
		p    packet.Unsubscribe
		want []string
	}{
		{"zero", packet.Unsubscribe{}, nil},
		{"built", *packet.NewUnsubscribe(1, []byte("a"), []byte("+")), []string{"a", "+"}},
		{"built empty", *packet.NewUnsubscribe(1), nil},
		{"cut in the length", packet.Unsubscribe{Payload: []byte("\x00\x01c\x00")}, []string{"c"}},
		{"cut in the topic", packet.Unsubscribe{Payload: []byte("\x00\x01c\x00\x03ab")}, []string{"c"}},
	} {
		if got := walkTopics(t, tc.p); !slices.Equal(got, tc.want) {
			t.Errorf("%s: Iter yields %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestNewSubscribe checks the payload the constructors encode, and that a
// filter too long for its two-byte length prefix is refused by Append
// rather than sent with a wrong length.
func TestNewSubscribe(t *testing.T) {
	s := packet.NewSubscribe(9, packet.Filter{Topic: []byte("a/+"), QoS: 1}, packet.Filter{Topic: []byte("#")})
	if want := unhex(t, "0003 612f2b 01 0001 23 00"); s.PacketID != 9 || !bytes.Equal(s.Payload, want) {
		t.Errorf("NewSubscribe = id %d, payload % x; want id 9, payload % x", s.PacketID, s.Payload, want)
	}
	u := packet.NewUnsubscribe(9, []byte("a/+"), []byte("#"))
	if want := unhex(t, "0003 612f2b 0001 23"); u.PacketID != 9 || !bytes.Equal(u.Payload, want) {
		t.Errorf("NewUnsubscribe = id %d, payload % x; want id 9, payload % x", u.PacketID, u.Payload, want)
	}
	long := bytes.Repeat([]byte("a"), 65536)
	for _, p := range []packet.Packet{
		packet.NewSubscribe(1, packet.Filter{Topic: []byte("ok")}, packet.Filter{Topic: long}),
		packet.NewUnsubscribe(1, []byte("ok"), long),
	} {
		if got, err := p.Append([]byte("keep")); !errors.Is(err, packet.ErrStringTooLong) || string(got) != "keep" {
			t.Errorf("%v with a filter of %d bytes: Append = %.8q, %v; want ErrStringTooLong", p.Type(), len(long), got, err)
		}
	}
}

// TestAppendPayload checks that Append refuses a payload set by hand that
// Decode would refuse, with the same error, and leaves dst as it was.
func TestAppendPayload(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    packet.Packet
		want error
	}{
		{"subscribe id 0", packet.Subscribe{Payload: []byte("\x00\x01a\x00")}, packet.ErrZeroPacketID},
		{"subscribe no QoS byte", packet.Subscribe{PacketID: 1, Payload: []byte("\x00\x01a")}, packet.ErrMalformed},
		{"subscribe bad filter", packet.Subscribe{PacketID: 1, Payload: []byte("\x00\x01a\x00\x00\x02a#\x00")}, packet.ErrInvalidFilter},
		{"subscribe qos 3", packet.Subscribe{PacketID: 1, Payload: []byte("\x00\x01a\x03")}, packet.ErrInvalidQoS},
		{"subscribe reserved bits", packet.Subscribe{PacketID: 1, Payload: []byte("\x00\x01a\x80")}, packet.ErrSubscribeReserved},
		{"unsubscribe id 0", packet.Unsubscribe{Payload: []byte("\x00\x01a")}, packet.ErrZeroPacketID},
		{"unsubscribe cut", packet.Unsubscribe{PacketID: 1, Payload: []byte("\x00\x02a")}, packet.ErrMalformed},
		{"unsubscribe empty filter", packet.Unsubscribe{PacketID: 1, Payload: []byte("\x00\x00")}, packet.ErrEmptyTopic},
	} {
		got, err := tc.p.Append([]byte("keep"))
		if !errors.Is(err, tc.want) || string(got) != "keep" {
			t.Errorf("%s: Append = %q, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}
