package firmware

import (
	"encoding/binary"
	"io"
)

// messageReader reads control messages into one fixed buffer.
type messageReader struct {
	r   io.Reader
	buf [maxMessage]byte
}

// next returns the next message. Bodies longer than maxMessage are
// skipped whole, so a reader never loses its place in the stream.
func (m *messageReader) next() (msgType, []byte, error) {
	for {
		var h [3]byte
		if _, err := io.ReadFull(m.r, h[:]); err != nil {
			return 0, nil, err
		}
		n := int(binary.LittleEndian.Uint16(h[1:]))
		if n > len(m.buf) {
			if _, err := io.CopyN(io.Discard, m.r, int64(n)); err != nil {
				return 0, nil, err
			}
			continue
		}
		if _, err := io.ReadFull(m.r, m.buf[:n]); err != nil {
			return 0, nil, err
		}
		return msgType(h[0]), m.buf[:n], nil
	}
}
