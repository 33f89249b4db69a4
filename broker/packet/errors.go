package packet

import "errors"

// Conditions of reading that are not violations: Decode returns
// ErrIncomplete, never wrapped, until a whole packet has arrived, and a
// Reader returns ErrBufferFull when it was given a buffer too small to
// hold any packet.
var (
	ErrIncomplete = errors.New("packet: incomplete packet, more bytes needed")
	ErrBufferFull = errors.New("packet: reader buffer smaller than the packet")
)

// Framing errors: the fixed header is malformed, or the packet it
// announces is too large or does not fill exactly the remaining length it
// states. The stream cannot be followed past such a packet.
var (
	ErrUnknownType     = errors.New("packet: reserved control packet type")
	ErrReservedFlags   = errors.New("packet: reserved fixed-header flags are not as specified")
	ErrRemainingLength = errors.New("packet: malformed remaining length (more than 4 bytes)")
	ErrPacketTooLarge  = errors.New("packet: packet larger than the maximum packet size")
	ErrMalformed       = errors.New("packet: remaining length does not match the packet contents")
)

// Content errors: a well-framed packet holds a field the standard forbids.
// Each names one violation so that callers can choose the outcome it
// demands; most of them mean "close the network connection" (MQTT 3.1.1
// section 4.8). ErrProtocolLevel and ErrProtocolName are reported before
// the rest of a CONNECT is read.
var (
	// Strings, topic names and topic filters.
	ErrInvalidUTF8     = errors.New("packet: string is not well-formed UTF-8")
	ErrNullCharacter   = errors.New("packet: string contains U+0000")
	ErrStringTooLong   = errors.New("packet: string longer than 65535 bytes")
	ErrEmptyTopic      = errors.New("packet: topic name or filter is empty")
	ErrWildcardInTopic = errors.New("packet: topic name contains a wildcard")
	ErrInvalidFilter   = errors.New("packet: topic filter has a misplaced wildcard")

	// Fields shared by several packet types.
	ErrInvalidQoS   = errors.New("packet: QoS 3 is reserved")
	ErrZeroPacketID = errors.New("packet: packet identifier 0 where a non-zero one is required")

	// SUBSCRIBE, SUBACK and UNSUBSCRIBE.
	ErrNoFilters         = errors.New("packet: SUBSCRIBE or UNSUBSCRIBE without a topic filter")
	ErrSubscribeReserved = errors.New("packet: requested QoS byte has reserved bits set")
	ErrSubackCode        = errors.New("packet: SUBACK return code is reserved")

	// CONNECT and CONNACK.
	ErrProtocolName        = errors.New("packet: CONNECT protocol name is not MQTT")
	ErrProtocolLevel       = errors.New("packet: unsupported protocol level")
	ErrConnectReserved     = errors.New("packet: CONNECT reserved flag is set")
	ErrWillFlags           = errors.New("packet: will QoS or retain set without the will flag")
	ErrPasswordWithoutUser = errors.New("packet: password flag set without the username flag")
	ErrConnackReserved     = errors.New("packet: CONNACK reserved bits are set")
	ErrConnackCode         = errors.New("packet: CONNACK return code is reserved")
)

// An Error is a violation found in a packet of a known type. Decode and
// Append return one wrapping the framing or content error that names it,
// so errors.Is(err, ErrInvalidQoS) works and the message tells which packet
// was at fault. ErrIncomplete is never wrapped: it is not a violation.
type Error struct {
	Type Type  // the packet type, from the fixed header
	Err  error // a framing or content error
}

func (e *Error) Error() string {
	msg := e.Err.Error()
	const prefix = "packet: "
	if len(msg) >= len(prefix) && msg[:len(prefix)] == prefix {
		msg = msg[len(prefix):]
	}
	return prefix + e.Type.String() + ": " + msg
}

func (e *Error) Unwrap() error { return e.Err }

// wrap gives err the context of the packet type t.
func wrap(t Type, err error) error {
	if err == nil || err == ErrIncomplete {
		return err
	}
	return &Error{Type: t, Err: err}
}
