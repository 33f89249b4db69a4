package link

import "encoding/binary"

// kind is what a frame carries. It shares the first byte of a frame with
// the channel: kind in the top three bits, channel in the bottom five.
type kind uint8

const (
	// Sequenced kinds: numbered, acknowledged and retransmitted, delivered
	// once and in order.
	kindData   kind = iota // stream bytes
	kindOpen               // the sender opened the channel's stream
	kindClose              // the sender will send no more on the stream
	kindReset              // the sender abandoned the stream
	kindCredit             // the receiver has room for more bytes: u16 increment

	// Unsequenced kinds: lost ones are simply sent again.
	kindAck  // next expected sequence number and a bitmap of frames held beyond it
	kindSync // link (re)start: epochs and the sender's buffer sizes
	kindLast
)

func (k kind) sequenced() bool { return k <= kindCredit }

const (
	maxChannels = 32 // five bits of channel
	headerLen   = 2  // kind|channel, sequence number (or ack)
	crcLen      = 4
	ackLen      = headerLen + 4                 // + SACK bitmap
	syncLen     = 1 + 4 + 4 + 1 + 1 + 2 + 1 + 2 // see syncParams
	minFrame    = headerLen + crcLen
	// MinPayload is the smallest payload limit a Config may set, and the
	// floor of the adaptive frame size: below it headers and checks would
	// take most of the line.
	MinPayload = 16
	// MaxWindow bounds Config.Window: the SACK bitmap of an ACK has 32 bits.
	MaxWindow = 32
	// protocolVersion is sent in SYNC; a peer with another version is
	// refused.
	protocolVersion = 1
)

func header(k kind, ch uint8, seq uint8) [headerLen]byte {
	return [headerLen]byte{byte(k)<<5 | ch&0x1F, seq}
}

func frameKind(f []byte) kind     { return kind(f[0] >> 5) }
func frameChannel(f []byte) uint8 { return f[0] & 0x1F }

// sealFrame appends the CRC of f to f.
func sealFrame(f []byte) []byte {
	return binary.LittleEndian.AppendUint32(f, crc32(f))
}

// openFrame checks the CRC of a decoded frame and returns it without the
// CRC.
func openFrame(f []byte) ([]byte, error) {
	if len(f) < minFrame {
		return nil, errTruncated
	}
	body := f[:len(f)-crcLen]
	if binary.LittleEndian.Uint32(f[len(body):]) != crc32(body) {
		return nil, errBadCRC
	}
	return body, nil
}

// syncParams is the body of a SYNC frame: who the sender is, who it
// believes its peer is, and the sizes its peer must respect.
//
//	0      flags (bit 0: the sender is up, no reply wanted)
//	1..4   the sender's epoch
//	5..8   the epoch the sender last heard from its peer (0: none)
//	9      protocol version
//	10     window, in frames
//	11..12 largest payload per frame
//	13     streams besides the control stream
//	14..15 receive buffer per stream, in bytes
type syncParams struct {
	up               bool
	epoch, peerEpoch uint32
	version          uint8
	window           uint8
	maxPayload       uint16
	streams          uint8
	streamBuffer     uint16
}

func (p *syncParams) append(f []byte) []byte {
	flags := byte(0)
	if p.up {
		flags = 1
	}
	f = append(f, flags)
	f = binary.LittleEndian.AppendUint32(f, p.epoch)
	f = binary.LittleEndian.AppendUint32(f, p.peerEpoch)
	f = append(f, p.version, p.window)
	f = binary.LittleEndian.AppendUint16(f, p.maxPayload)
	f = append(f, p.streams)
	return binary.LittleEndian.AppendUint16(f, p.streamBuffer)
}

func (p *syncParams) parse(b []byte) bool {
	if len(b) != syncLen {
		return false
	}
	p.up = b[0]&1 != 0
	p.epoch = binary.LittleEndian.Uint32(b[1:])
	p.peerEpoch = binary.LittleEndian.Uint32(b[5:])
	p.version, p.window = b[9], b[10]
	p.maxPayload = binary.LittleEndian.Uint16(b[11:])
	p.streams = b[13]
	p.streamBuffer = binary.LittleEndian.Uint16(b[14:])
	return true
}
