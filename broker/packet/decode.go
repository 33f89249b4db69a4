package packet

import "io"

// Header is a decoded fixed header.
type Header struct {
	Type      Type
	Flags     byte // low nibble of the first byte
	Remaining int  // remaining length
	Size      int  // bytes the fixed header itself occupies (2 to 5)
}

// ParseHeader decodes the fixed header at the start of b. It returns
// ErrIncomplete when b ends inside the header, and ErrPacketTooLarge when
// the whole packet would exceed maxPacket bytes (0 means no limit other
// than the protocol's).
func ParseHeader(b []byte, maxPacket int) (Header, error) {
	panic("unimplemented")
}

// A Decoder decodes packets into storage it owns, one packet of each type,
// so that decoding does not allocate. The zero value is ready to use.
type Decoder struct {
	// MaxPacketSize bounds whole packets; 0 means the protocol maximum.
	MaxPacketSize int
}

// Decode decodes the first packet in b and reports how many bytes it used.
// It returns ErrIncomplete, consuming nothing, when b holds only part of a
// packet. The packet aliases b and the Decoder until the next call.
func (d *Decoder) Decode(b []byte) (p Packet, n int, err error) {
	panic("unimplemented")
}

// A Reader reads whole packets from a byte stream into a fixed buffer.
type Reader struct{}

// NewReader returns a Reader over r that buffers at most len(buf) bytes;
// a packet larger than buf is refused with ErrPacketTooLarge.
func NewReader(r io.Reader, buf []byte) *Reader {
	panic("unimplemented")
}

// ReadPacket reads and decodes the next packet. The packet is valid until
// the next call.
func (r *Reader) ReadPacket() (Packet, error) {
	panic("unimplemented")
}
