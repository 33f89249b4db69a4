package packet

import "unicode/utf8"

// maxString is the longest string or binary field a two-byte length can
// prefix.
const maxString = 65535

// checkString reports whether s may be sent as an MQTT UTF-8 encoded string
// (MQTT 3.1.1 section 1.5.3): at most 65535 bytes, well-formed UTF-8 (which
// excludes overlong encodings and the surrogates U+D800 to U+DFFF) and free
// of U+0000.
func checkString(s []byte) error {
	if len(s) > maxString {
		return ErrStringTooLong
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == 0 {
				return ErrNullCharacter
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			return ErrInvalidUTF8
		}
		i += size
	}
	return nil
}

// AppendUint16 appends v in network byte order.
func AppendUint16(dst []byte, v uint16) []byte {
	return append(dst, byte(v>>8), byte(v))
}

// AppendString appends s with its two-byte length prefix. It validates
// nothing: a string longer than 65535 bytes gets a truncated length, and
// malformed UTF-8 goes out as it is, so test clients can send both.
func AppendString(dst []byte, s string) []byte {
	dst = AppendUint16(dst, uint16(len(s)))
	return append(dst, s...)
}

// AppendBytes is AppendString for a byte slice: a two-byte length prefix
// followed by b, unvalidated.
func AppendBytes(dst []byte, b []byte) []byte {
	dst = AppendUint16(dst, uint16(len(b)))
	return append(dst, b...)
}

// readUint16 reads a two-byte integer from the front of b.
func readUint16(b []byte) (v uint16, rest []byte, ok bool) {
	if len(b) < 2 {
		return 0, b, false
	}
	return uint16(b[0])<<8 | uint16(b[1]), b[2:], true
}

// readBytes reads a length-prefixed field from the front of b. The field
// aliases b.
func readBytes(b []byte) (field, rest []byte, ok bool) {
	n, rest, ok := readUint16(b)
	if !ok || len(rest) < int(n) {
		return nil, b, false
	}
	return rest[:n:n], rest[n:], true
}

// readString reads a length-prefixed UTF-8 string from the front of b.
func readString(b []byte) (s, rest []byte, err error) {
	s, rest, ok := readBytes(b)
	if !ok {
		return nil, b, ErrMalformed
	}
	return s, rest, checkString(s)
}
