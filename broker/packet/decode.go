package packet

// Header is a decoded fixed header.
type Header struct {
	Type      Type
	Flags     byte // low nibble of the first byte
	Remaining int  // remaining length
	Size      int  // bytes the fixed header itself occupies (2 to 5)
}

// A Decoder decodes packets into storage it owns, one packet of each type,
// so that decoding does not allocate. The zero value is ready to use. The
// filters of a SUBSCRIBE or UNSUBSCRIBE need no storage: they are checked
// where they lie in the decoded bytes, which the packet's Payload aliases,
// and walked there with Iter.
type Decoder struct {
	// MaxPacketSize bounds whole packets; 0 means the protocol maximum.
	MaxPacketSize int

	connect     Connect
	connack     Connack
	publish     Publish
	puback      Puback
	pubrec      Pubrec
	pubrel      Pubrel
	pubcomp     Pubcomp
	subscribe   Subscribe
	suback      Suback
	unsubscribe Unsubscribe
	unsuback    Unsuback
	pingreq     Pingreq
	pingresp    Pingresp
	disconnect  Disconnect
}

// Decode decodes the first packet in b and reports how many bytes it used.
// It returns ErrIncomplete, consuming nothing, when b holds only part of a
// packet; a fixed header with a reserved type or flags is refused as soon
// as it is complete, before the body arrives. Every other error is an
// *Error naming the packet type and wrapping one of the sentinels of this
// package; after one, the stream cannot be trusted and the standard asks
// for the connection to be closed.
//
// The packet is a pointer to storage of the Decoder, such as *Publish, and
// its byte slices alias b: both are valid until the next call.
func (d *Decoder) Decode(b []byte) (p Packet, n int, err error) {
	h, err := ParseHeader(b, d.MaxPacketSize)
	if err != nil {
		return nil, 0, wrap(h.Type, err)
	}
	if err := checkFlags(h); err != nil {
		return nil, 0, wrap(h.Type, err)
	}
	n = h.Size + h.Remaining
	if len(b) < n {
		return nil, 0, ErrIncomplete
	}
	body := b[h.Size:n:n]
	switch h.Type {
	case CONNECT:
		p, err = &d.connect, d.connect.decode(body)
	case CONNACK:
		p, err = &d.connack, d.connack.decode(body)
	case PUBLISH:
		p, err = &d.publish, d.publish.decode(h.Flags, body)
	case PUBACK:
		d.puback.PacketID, err = decodeAck(body)
		p = &d.puback
	case PUBREC:
		d.pubrec.PacketID, err = decodeAck(body)
		p = &d.pubrec
	case PUBREL:
		d.pubrel.PacketID, err = decodeAck(body)
		p = &d.pubrel
	case PUBCOMP:
		d.pubcomp.PacketID, err = decodeAck(body)
		p = &d.pubcomp
	case SUBSCRIBE:
		p, err = &d.subscribe, d.subscribe.decode(body)
	case SUBACK:
		p, err = &d.suback, d.suback.decode(body)
	case UNSUBSCRIBE:
		p, err = &d.unsubscribe, d.unsubscribe.decode(body)
	case UNSUBACK:
		d.unsuback.PacketID, err = decodeAck(body)
		p = &d.unsuback
	case PINGREQ:
		p, err = &d.pingreq, decodeEmpty(body)
	case PINGRESP:
		p, err = &d.pingresp, decodeEmpty(body)
	case DISCONNECT:
		p, err = &d.disconnect, decodeEmpty(body)
	}
	if err != nil {
		return nil, 0, wrap(h.Type, err)
	}
	return p, n, nil
}

// decodeEmpty checks the body of a packet that has none.
func decodeEmpty(body []byte) error {
	if len(body) != 0 {
		return ErrMalformed
	}
	return nil
}
