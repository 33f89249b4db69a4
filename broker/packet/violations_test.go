package packet_test

import (
	"errors"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// Each row is one packet that breaks one rule of MQTT 3.1.1, and the
// error Decode must name for it.
var violations = []struct {
	name string
	wire string
	want error
}{
	// Fixed header.
	{"reserved type 0", "00 00", packet.ErrUnknownType},
	{"reserved type 15", "f0 00", packet.ErrUnknownType},
	{"connect flags", "11 00", packet.ErrReservedFlags},
	{"connack flags", "28 02 0000", packet.ErrReservedFlags},
	{"puback flags", "42 02 0001", packet.ErrReservedFlags},
	{"pubrec flags", "51 02 0001", packet.ErrReservedFlags},
	{"pubrel flags 0000", "60 02 0001", packet.ErrReservedFlags},
	{"pubcomp flags", "74 02 0001", packet.ErrReservedFlags},
	{"subscribe flags 0000", "80 06 0001 0001 61 00", packet.ErrReservedFlags},
	{"subscribe flags 0011", "83 06 0001 0001 61 00", packet.ErrReservedFlags},
	{"suback flags", "92 03 0001 00", packet.ErrReservedFlags},
	{"unsubscribe flags 0000", "a0 05 0001 0001 61", packet.ErrReservedFlags},
	{"unsuback flags", "b1 02 0001", packet.ErrReservedFlags},
	{"pingreq flags", "c1 00", packet.ErrReservedFlags},
	{"pingresp flags", "d8 00", packet.ErrReservedFlags},
	{"disconnect flags", "e2 00", packet.ErrReservedFlags},
	{"flags refused before the body", "80 7f", packet.ErrReservedFlags},
	{"flags refused before the body 2", "60 02", packet.ErrReservedFlags},
	{"remaining length 5 bytes", "30 ff ff ff ff 01", packet.ErrRemainingLength},
	{"remaining length 5th byte missing", "30 80 80 80 80", packet.ErrRemainingLength},

	// Lengths that do not match the contents.
	{"connack short", "20 01 00", packet.ErrMalformed},
	{"connack long", "20 03 000000", packet.ErrMalformed},
	{"puback short", "40 01 01", packet.ErrMalformed},
	{"pubrel long", "62 03 000100", packet.ErrMalformed},
	{"unsuback empty", "b0 00", packet.ErrMalformed},
	{"pingreq with body", "c0 01 00", packet.ErrMalformed},
	{"pingresp with body", "d0 01 00", packet.ErrMalformed},
	{"disconnect with body", "e0 01 00", packet.ErrMalformed},
	{"publish empty body", "30 00", packet.ErrMalformed},
	{"publish topic past end", "30 03 0005 61", packet.ErrMalformed},
	{"publish qos1 without id", "32 03 0001 61", packet.ErrMalformed},
	{"subscribe without id", "82 01 00", packet.ErrMalformed},
	{"subscribe without qos byte", "82 05 0001 0001 61", packet.ErrMalformed},
	{"subscribe filter past end", "82 06 0001 0009 61 00", packet.ErrMalformed},
	{"suback without id", "90 01 00", packet.ErrMalformed},
	{"unsubscribe without id", "a2 01 00", packet.ErrMalformed},
	{"unsubscribe filter past end", "a2 05 0001 0002 61", packet.ErrMalformed},
	{"connect empty", "10 00", packet.ErrMalformed},
	{"connect cut after level", "10 07 0004 4d515454 04", packet.ErrMalformed},
	{"connect without client id", "10 0a 0004 4d515454 04 02 003c", packet.ErrMalformed},
	{"connect will topic missing", "10 0d 0004 4d515454 04 06 003c 0000 00", packet.ErrMalformed},
	{"connect will message missing", "10 0f 0004 4d515454 04 06 003c 0000 0001 74", packet.ErrMalformed},
	{"connect password missing", "10 0f 0004 4d515454 04 c2 003c 0000 0001 75", packet.ErrMalformed},
	{"connect trailing byte", "10 0d 0004 4d515454 04 02 003c 0000 ff", packet.ErrMalformed},

	// CONNECT rules.
	{"protocol name MQIsdp", "10 0e 0006 4d5149736470 03 02 003c 0000", packet.ErrProtocolName},
	{"protocol name lower case", "10 0c 0004 6d717474 04 02 003c 0000", packet.ErrProtocolName},
	{"protocol name before flags", "10 0c 0004 4d515441 04 01 003c 0000", packet.ErrProtocolName},
	{"protocol level 3", "10 0c 0004 4d515454 03 02 003c 0000", packet.ErrProtocolLevel},
	{"protocol level 5", "10 0c 0004 4d515454 05 02 003c 0000", packet.ErrProtocolLevel},
	{"protocol level before the rest", "10 07 0004 4d515454 05", packet.ErrProtocolLevel},
	{"connect reserved flag", "10 0c 0004 4d515454 04 03 003c 0000", packet.ErrConnectReserved},
	{"will qos 3", "10 11 0004 4d515454 04 1e 003c 0000 0001 74 0000", packet.ErrInvalidQoS},
	{"will qos without will flag", "10 0c 0004 4d515454 04 0a 003c 0000", packet.ErrWillFlags},
	{"will retain without will flag", "10 0c 0004 4d515454 04 22 003c 0000", packet.ErrWillFlags},
	{"password without username", "10 0f 0004 4d515454 04 42 003c 0000 0001 70", packet.ErrPasswordWithoutUser},
	{"client id not utf-8", "10 0d 0004 4d515454 04 02 003c 0001 ff", packet.ErrInvalidUTF8},
	{"client id null", "10 0d 0004 4d515454 04 02 003c 0001 00", packet.ErrNullCharacter},
	{"will topic wildcard", "10 11 0004 4d515454 04 06 003c 0000 0001 23 0000", packet.ErrWildcardInTopic},
	{"will topic empty", "10 10 0004 4d515454 04 06 003c 0000 0000 0000", packet.ErrEmptyTopic},
	{"username surrogate", "10 11 0004 4d515454 04 82 003c 0000 0003 eda080", packet.ErrInvalidUTF8},

	// CONNACK.
	{"connack reserved bits", "20 02 02 00", packet.ErrConnackReserved},
	{"connack return code 6", "20 02 00 06", packet.ErrConnackCode},

	// PUBLISH.
	{"publish qos 3", "36 05 0001 61 0001", packet.ErrInvalidQoS},
	{"publish id 0", "32 05 0001 61 0000", packet.ErrZeroPacketID},
	{"publish empty topic", "30 02 0000", packet.ErrEmptyTopic},
	{"publish topic +", "30 05 0003 612f2b", packet.ErrWildcardInTopic},
	{"publish topic #", "30 03 0001 23", packet.ErrWildcardInTopic},
	{"publish topic null", "30 04 0002 6100", packet.ErrNullCharacter},
	{"publish topic surrogate", "30 05 0003 eda080", packet.ErrInvalidUTF8},
	{"publish topic high surrogate end", "30 05 0003 edbfbf", packet.ErrInvalidUTF8},
	{"publish topic overlong slash", "30 04 0002 c0af", packet.ErrInvalidUTF8},
	{"publish topic overlong null", "30 04 0002 c080", packet.ErrInvalidUTF8},
	{"publish topic overlong 3 bytes", "30 05 0003 e080af", packet.ErrInvalidUTF8},
	{"publish topic beyond U+10FFFF", "30 06 0004 f4908080", packet.ErrInvalidUTF8},
	{"publish topic truncated sequence", "30 04 0002 61e2", packet.ErrInvalidUTF8},
	{"publish topic stray continuation", "30 03 0001 80", packet.ErrInvalidUTF8},

	// Acknowledgements.
	{"puback id 0", "40 02 0000", packet.ErrZeroPacketID},
	{"pubrec id 0", "50 02 0000", packet.ErrZeroPacketID},
	{"pubrel id 0", "62 02 0000", packet.ErrZeroPacketID},
	{"pubcomp id 0", "70 02 0000", packet.ErrZeroPacketID},
	{"unsuback id 0", "b0 02 0000", packet.ErrZeroPacketID},

	// SUBSCRIBE, SUBACK, UNSUBSCRIBE.
	{"subscribe id 0", "82 06 0000 0001 61 00", packet.ErrZeroPacketID},
	{"subscribe no filters", "82 02 0001", packet.ErrNoFilters},
	{"subscribe empty filter", "82 05 0001 0000 00", packet.ErrEmptyTopic},
	{"subscribe qos 3", "82 06 0001 0001 61 03", packet.ErrInvalidQoS},
	{"subscribe reserved qos bits", "82 06 0001 0001 61 04", packet.ErrSubscribeReserved},
	{"subscribe reserved qos bit 7", "82 06 0001 0001 61 81", packet.ErrSubscribeReserved},
	{"subscribe + inside level", "82 07 0001 0002 612b 00", packet.ErrInvalidFilter},
	{"subscribe + before text", "82 07 0001 0002 2b61 00", packet.ErrInvalidFilter},
	{"subscribe # not last", "82 08 0001 0003 232f61 00", packet.ErrInvalidFilter},
	{"subscribe # inside level", "82 07 0001 0002 6123 00", packet.ErrInvalidFilter},
	{"subscribe filter not utf-8", "82 06 0001 0001 fe 00", packet.ErrInvalidUTF8},
	{"subscribe filter null", "82 06 0001 0001 00 00", packet.ErrNullCharacter},
	{"subscribe second filter bad", "82 0a 0001 0001 61 00 0001 23 03", packet.ErrInvalidQoS},
	{"suback id 0", "90 03 0000 00", packet.ErrZeroPacketID},
	{"suback no codes", "90 02 0001", packet.ErrNoFilters},
	{"suback code 3", "90 03 0001 03", packet.ErrSubackCode},
	{"suback code 0x81", "90 03 0001 81", packet.ErrSubackCode},
	{"unsubscribe id 0", "a2 05 0000 0001 61", packet.ErrZeroPacketID},
	{"unsubscribe no filters", "a2 02 0001", packet.ErrNoFilters},
	{"unsubscribe empty filter", "a2 04 0001 0000", packet.ErrEmptyTopic},
	{"unsubscribe bad filter", "a2 06 0001 0002 2361", packet.ErrInvalidFilter},
	{"unsubscribe filter not utf-8", "a2 06 0001 0002 c3 28", packet.ErrInvalidUTF8},
}

func TestDecodeViolations(t *testing.T) {
	var d packet.Decoder
	for _, tt := range violations {
		t.Run(tt.name, func(t *testing.T) {
			b := unhex(t, tt.wire)
			p, n, err := d.Decode(b)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode(% x) = %v, %d, %v; want %v", b, p, n, err, tt.want)
			}
			if p != nil || n != 0 {
				t.Errorf("Decode returned packet %v and n=%d with an error", p, n)
			}
			var perr *packet.Error
			if !errors.As(err, &perr) || perr.Type != packet.Type(b[0]>>4) {
				t.Errorf("error %v does not name the packet type %v", err, packet.Type(b[0]>>4))
			}
		})
	}
}

// TestDecodeViolationsCovered checks that the table has a row for every
// sentinel that Decode can report.
func TestDecodeViolationsCovered(t *testing.T) {
	seen := map[error]bool{}
	for _, tt := range violations {
		seen[tt.want] = true
	}
	for _, err := range []error{
		packet.ErrUnknownType, packet.ErrReservedFlags, packet.ErrRemainingLength, packet.ErrMalformed,
		packet.ErrInvalidUTF8, packet.ErrNullCharacter, packet.ErrInvalidQoS, packet.ErrZeroPacketID,
		packet.ErrEmptyTopic, packet.ErrWildcardInTopic, packet.ErrInvalidFilter, packet.ErrNoFilters,
		packet.ErrSubscribeReserved, packet.ErrProtocolName, packet.ErrProtocolLevel, packet.ErrConnectReserved,
		packet.ErrWillFlags, packet.ErrPasswordWithoutUser, packet.ErrConnackReserved, packet.ErrConnackCode,
		packet.ErrSubackCode,
	} {
		if !seen[err] {
			t.Errorf("no violation row for %v", err)
		}
	}
}

func TestDecodeLimits(t *testing.T) {
	pub := unhex(t, "30 07 0003 612f62 6869") // 9 bytes
	for _, tc := range []struct {
		name string
		d    *packet.Decoder
		b    []byte
		want error
	}{
		{"packet at the limit", &packet.Decoder{MaxPacketSize: 9}, pub, nil},
		{"packet over the limit", &packet.Decoder{MaxPacketSize: 8}, pub, packet.ErrPacketTooLarge},
		{"over the limit before the body", &packet.Decoder{MaxPacketSize: 8}, pub[:2], packet.ErrPacketTooLarge},
	} {
		_, _, err := tc.d.Decode(tc.b)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: Decode = %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestDecodeIncomplete cuts valid packets at every length short of whole.
func TestDecodeIncomplete(t *testing.T) {
	var d packet.Decoder
	for _, tt := range roundTrips {
		b := unhex(t, tt.wire)
		for i := range len(b) {
			p, n, err := d.Decode(b[:i])
			if err != packet.ErrIncomplete || p != nil || n != 0 {
				t.Errorf("%s cut at %d: Decode = %v, %d, %v; want ErrIncomplete unwrapped", tt.name, i, p, n, err)
			}
		}
	}
}

func TestParseHeader(t *testing.T) {
	for _, tc := range []struct {
		wire      string
		max       int
		want      packet.Header
		wantError error
	}{
		{"", 0, packet.Header{}, packet.ErrIncomplete},
		{"30", 0, packet.Header{Type: packet.PUBLISH}, packet.ErrIncomplete},
		{"30 80", 0, packet.Header{Type: packet.PUBLISH}, packet.ErrIncomplete},
		{"30 ff ff ff", 0, packet.Header{Type: packet.PUBLISH, Remaining: 0x1fffff}, packet.ErrIncomplete},
		{"3d 00", 0, packet.Header{Type: packet.PUBLISH, Flags: 0xd, Size: 2}, nil},
		{"c0 00", 2, packet.Header{Type: packet.PINGREQ, Size: 2}, nil},
		{"30 7f", 129, packet.Header{Type: packet.PUBLISH, Remaining: 127, Size: 2}, nil},
		{"30 7f", 128, packet.Header{Type: packet.PUBLISH, Remaining: 127, Size: 2}, packet.ErrPacketTooLarge},
		{"30 80 01", 0, packet.Header{Type: packet.PUBLISH, Remaining: 128, Size: 3}, nil},
		{"30 ff ff ff 7f", 0, packet.Header{Type: packet.PUBLISH, Remaining: packet.MaxRemainingLength, Size: 5}, nil},
		{"30 ff ff ff 7f", packet.MaxPacketSize, packet.Header{Type: packet.PUBLISH, Remaining: packet.MaxRemainingLength, Size: 5}, nil},
		{"30 ff ff ff 7f", packet.MaxPacketSize - 1, packet.Header{Type: packet.PUBLISH, Remaining: packet.MaxRemainingLength, Size: 5}, packet.ErrPacketTooLarge},
		{"30 ff ff ff ff", 0, packet.Header{Type: packet.PUBLISH, Remaining: packet.MaxRemainingLength}, packet.ErrRemainingLength},
		{"30 80 00", 0, packet.Header{Type: packet.PUBLISH, Remaining: 0, Size: 3}, nil}, // not minimal, but 3.1.1 does not forbid it
	} {
		h, err := packet.ParseHeader(unhex(t, tc.wire), tc.max)
		if err != tc.wantError || h != tc.want {
			t.Errorf("ParseHeader(%s, %d) = %+v, %v; want %+v, %v", tc.wire, tc.max, h, err, tc.want, tc.wantError)
		}
	}
}

func TestErrorMessage(t *testing.T) {
	var d packet.Decoder
	_, _, err := d.Decode(unhex(t, "36 05 0001 61 0001"))
	if got, want := err.Error(), "packet: PUBLISH: QoS 3 is reserved"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
