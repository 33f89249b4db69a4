package packet

// MaxRemainingLength is the largest remaining length that the four bytes
// allowed for it can encode (MQTT 3.1.1 section 2.2.3).
const MaxRemainingLength = 268435455

// MaxPacketSize is the largest packet the protocol can carry: a five-byte
// fixed header followed by MaxRemainingLength bytes.
const MaxPacketSize = 5 + MaxRemainingLength

// ParseHeader decodes the fixed header at the start of b. It returns
// ErrIncomplete when b ends inside the header, ErrRemainingLength when the
// remaining length runs past four bytes, and ErrPacketTooLarge when the
// whole packet would exceed maxPacket bytes (0 means no limit other than
// the protocol's). With ErrPacketTooLarge the returned Header is filled in,
// so a caller can tell how large the refused packet was.
//
// ParseHeader does not check the type or the flags; Decode does.
func ParseHeader(b []byte, maxPacket int) (Header, error) {
	var h Header
	if len(b) == 0 {
		return h, ErrIncomplete
	}
	h.Type = Type(b[0] >> 4)
	h.Flags = b[0] & 0x0f
	for i := 1; ; i++ {
		if i >= len(b) {
			return h, ErrIncomplete
		}
		c := b[i]
		h.Remaining |= int(c&0x7f) << (7 * (i - 1))
		if c&0x80 == 0 {
			h.Size = i + 1
			break
		}
		if i == 4 {
			return h, ErrRemainingLength
		}
	}
	if maxPacket > 0 && h.Size+h.Remaining > maxPacket {
		return h, ErrPacketTooLarge
	}
	return h, nil
}

// checkFlags reports whether the type and flags of h are ones the standard
// allows (MQTT 3.1.1 section 2.2.2). The PUBLISH flags are checked with
// the rest of the PUBLISH.
func checkFlags(h Header) error {
	switch h.Type {
	case 0, 15:
		return ErrUnknownType
	case PUBLISH:
		return nil
	case PUBREL, SUBSCRIBE, UNSUBSCRIBE:
		if h.Flags != 0x2 {
			return ErrReservedFlags
		}
	default:
		if h.Flags != 0 {
			return ErrReservedFlags
		}
	}
	return nil
}

// AppendHeader appends a fixed header: t and flags in the first byte, then
// remaining as a variable-length integer. It validates nothing, so test
// clients can build deliberately malformed packets with it; a remaining
// length above MaxRemainingLength comes out as five or more bytes.
func AppendHeader(dst []byte, t Type, flags byte, remaining int) []byte {
	dst = append(dst, byte(t)<<4|flags&0x0f)
	return AppendRemainingLength(dst, remaining)
}

// AppendRemainingLength appends n in the variable-length encoding of the
// fixed header, without checking it against MaxRemainingLength.
func AppendRemainingLength(dst []byte, n int) []byte {
	u := uint(n)
	for u >= 0x80 {
		dst = append(dst, byte(u)|0x80)
		u >>= 7
	}
	return append(dst, byte(u))
}

// HeaderSize is the size of a fixed header for a remaining length of n,
// so HeaderSize(n)+n is the size of the whole packet.
func HeaderSize(n int) int {
	switch {
	case n < 1<<7:
		return 2
	case n < 1<<14:
		return 3
	case n < 1<<21:
		return 4
	}
	return 5
}
