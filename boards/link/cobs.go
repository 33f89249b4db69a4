package link

// Frames travel COBS-encoded (Consistent Overhead Byte Stuffing) between
// zero bytes: the encoding removes every zero from a frame at a cost of one
// byte per 254, so a zero on the line always ends a frame, and a receiver
// that lost its place (garbage, a dropped byte) is back in step at the next
// zero.

// cobsMaxLen is the length of the encoding of n bytes, without the
// delimiter.
func cobsMaxLen(n int) int { return n + n/254 + 1 }

// cobsEncode appends the encoding of src to dst and returns it.
func cobsEncode(dst, src []byte) []byte {
	code := len(dst) // where the current block's code byte goes
	dst = append(dst, 0)
	for i, c := range src {
		if c != 0 {
			dst = append(dst, c)
		}
		run := len(dst) - code
		if c == 0 || run == 0xFF {
			dst[code] = byte(run)
			if c == 0 || i+1 < len(src) {
				code = len(dst)
				dst = append(dst, 0)
			} else {
				return dst // a full block that ends the input needs no more
			}
		}
	}
	dst[code] = byte(len(dst) - code)
	return dst
}

// cobsDecode decodes buf in place and returns the decoded bytes, a prefix
// of buf. ok is false when buf is not a valid encoding: a zero byte, or a
// code pointing past the end.
func cobsDecode(buf []byte) (out []byte, ok bool) {
	r, w := 0, 0
	for r < len(buf) {
		code := int(buf[r])
		if code == 0 || r+code > len(buf) {
			return nil, false
		}
		r++
		for i := 1; i < code; i++ {
			if buf[r] == 0 {
				return nil, false
			}
			buf[w] = buf[r]
			w++
			r++
		}
		if code < 0xFF && r < len(buf) {
			buf[w] = 0
			w++
		}
	}
	return buf[:w], true
}
