package packet_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

func TestAppendRefuses(t *testing.T) {
	long := bytes.Repeat([]byte("a"), 65536)
	ok := []byte("ok")
	for _, tc := range []struct {
		name string
		p    packet.Packet
		want error
	}{
		{"publish qos 3", packet.Publish{QoS: 3, Topic: ok, PacketID: 1}, packet.ErrInvalidQoS},
		{"publish qos 1 id 0", packet.Publish{QoS: 1, Topic: ok}, packet.ErrZeroPacketID},
		{"publish empty topic", packet.Publish{Topic: nil}, packet.ErrEmptyTopic},
		{"publish wildcard topic", packet.Publish{Topic: []byte("a/+")}, packet.ErrWildcardInTopic},
		{"publish topic too long", packet.Publish{Topic: long}, packet.ErrStringTooLong},
		{"publish topic surrogate", packet.Publish{Topic: []byte("\xed\xa0\x80")}, packet.ErrInvalidUTF8},
		{"publish too large", packet.Publish{Topic: ok, Payload: make([]byte, packet.MaxRemainingLength-3)}, packet.ErrPacketTooLarge},
		{"puback id 0", packet.Puback{}, packet.ErrZeroPacketID},
		{"pubrec id 0", packet.Pubrec{}, packet.ErrZeroPacketID},
		{"pubrel id 0", packet.Pubrel{}, packet.ErrZeroPacketID},
		{"pubcomp id 0", packet.Pubcomp{}, packet.ErrZeroPacketID},
		{"unsuback id 0", packet.Unsuback{}, packet.ErrZeroPacketID},
		{"subscribe id 0", packet.NewSubscribe(0, packet.Filter{Topic: ok}), packet.ErrZeroPacketID},
		{"subscribe no filters", packet.NewSubscribe(1), packet.ErrNoFilters},
		{"subscribe qos 3", packet.NewSubscribe(1, packet.Filter{Topic: ok, QoS: 3}), packet.ErrInvalidQoS},
		{"subscribe bad filter", packet.NewSubscribe(1, packet.Filter{Topic: []byte("a#")}), packet.ErrInvalidFilter},
		{"subscribe null", packet.NewSubscribe(1, packet.Filter{Topic: []byte("a\x00")}), packet.ErrNullCharacter},
		{"subscribe filter too long", packet.NewSubscribe(1, packet.Filter{Topic: long}), packet.ErrStringTooLong},
		{"suback id 0", packet.Suback{ReturnCodes: []byte{0}}, packet.ErrZeroPacketID},
		{"suback no codes", packet.Suback{PacketID: 1}, packet.ErrNoFilters},
		{"suback code 3", packet.Suback{PacketID: 1, ReturnCodes: []byte{3}}, packet.ErrSubackCode},
		{"unsubscribe id 0", packet.NewUnsubscribe(0, ok), packet.ErrZeroPacketID},
		{"unsubscribe no topics", packet.NewUnsubscribe(1), packet.ErrNoFilters},
		{"unsubscribe empty", packet.NewUnsubscribe(1, []byte{}), packet.ErrEmptyTopic},
		{"unsubscribe filter too long", packet.NewUnsubscribe(1, long), packet.ErrStringTooLong},
		{"connack code 6", packet.Connack{ReturnCode: 6}, packet.ErrConnackCode},
		{"connect client id too long", packet.Connect{ClientID: long}, packet.ErrStringTooLong},
		{"connect client id overlong", packet.Connect{ClientID: []byte("\xc0\xaf")}, packet.ErrInvalidUTF8},
		{"connect will qos 3", packet.Connect{WillFlag: true, WillQoS: 3, WillTopic: ok}, packet.ErrInvalidQoS},
		{"connect will qos without flag", packet.Connect{WillQoS: 1}, packet.ErrWillFlags},
		{"connect will retain without flag", packet.Connect{WillRetain: true}, packet.ErrWillFlags},
		{"connect will topic wildcard", packet.Connect{WillFlag: true, WillTopic: []byte("#")}, packet.ErrWildcardInTopic},
		{"connect will message too long", packet.Connect{WillFlag: true, WillTopic: ok, WillMessage: long}, packet.ErrStringTooLong},
		{"connect password without user", packet.Connect{PasswordFlag: true}, packet.ErrPasswordWithoutUser},
		{"connect username null", packet.Connect{UsernameFlag: true, Username: []byte{0}}, packet.ErrNullCharacter},
		{"connect password too long", packet.Connect{UsernameFlag: true, PasswordFlag: true, Password: long}, packet.ErrStringTooLong},
	} {
		got, err := tc.p.Append(nil)
		if !errors.Is(err, tc.want) || got != nil {
			t.Errorf("%s: Append = % x, %v; want nothing, %v", tc.name, got, err, tc.want)
		}
	}
}

// TestAppendProtocolLevel checks that a client can announce another
// protocol level, which the decoder then refuses for a server to answer.
func TestAppendProtocolLevel(t *testing.T) {
	b, err := packet.Connect{ProtocolLevel: 3, CleanSession: true}.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	var d packet.Decoder
	if _, _, err := d.Decode(b); !errors.Is(err, packet.ErrProtocolLevel) {
		t.Errorf("Decode = %v, want ErrProtocolLevel", err)
	}
}

// TestRawWriters builds malformed packets that Append refuses.
func TestRawWriters(t *testing.T) {
	var b []byte
	b = packet.AppendHeader(b, packet.PUBLISH, 0x6, 7) // QoS 3
	b = packet.AppendString(b, "a/#")
	b = packet.AppendUint16(b, 0)
	b = packet.AppendBytes(b, nil)
	want := unhex(t, "36 07 0003 612f23 0000 0000")
	if !bytes.Equal(b, want) {
		t.Errorf("raw = % x, want % x", b, want)
	}
	var d packet.Decoder
	if _, _, err := d.Decode(b); !errors.Is(err, packet.ErrInvalidQoS) {
		t.Errorf("Decode = %v, want ErrInvalidQoS", err)
	}
	for _, tc := range []struct {
		n    int
		want string
	}{
		{0, "00"}, {127, "7f"}, {128, "8001"}, {16383, "ff7f"}, {16384, "808001"},
		{packet.MaxRemainingLength, "ffffff7f"}, {packet.MaxRemainingLength + 1, "8080808001"},
	} {
		if got := packet.AppendRemainingLength(nil, tc.n); !bytes.Equal(got, unhex(t, tc.want)) {
			t.Errorf("AppendRemainingLength(%d) = % x, want %s", tc.n, got, tc.want)
		}
	}
}

func TestTypeString(t *testing.T) {
	for ty, want := range map[packet.Type]string{
		packet.CONNECT: "CONNECT", packet.PUBREL: "PUBREL", packet.DISCONNECT: "DISCONNECT",
		0: "reserved type 0", 15: "reserved type 15", 16: "invalid type",
	} {
		if got := ty.String(); got != want {
			t.Errorf("Type(%d).String() = %q, want %q", byte(ty), got, want)
		}
	}
}
