package packet

// The acknowledgements below carry nothing but a packet identifier, which
// echoes a non-zero one and so is never 0 (MQTT-2.3.1-1).

// Type reports PUBACK.
func (Puback) Type() Type { return PUBACK }

// Append encodes the PUBACK onto dst.
func (p Puback) Append(dst []byte) ([]byte, error) { return appendAck(dst, PUBACK, 0, p.PacketID) }

// Type reports PUBREC.
func (Pubrec) Type() Type { return PUBREC }

// Append encodes the PUBREC onto dst.
func (p Pubrec) Append(dst []byte) ([]byte, error) { return appendAck(dst, PUBREC, 0, p.PacketID) }

// Type reports PUBREL.
func (Pubrel) Type() Type { return PUBREL }

// Append encodes the PUBREL onto dst, with the fixed-header flags 0010.
func (p Pubrel) Append(dst []byte) ([]byte, error) { return appendAck(dst, PUBREL, 2, p.PacketID) }

// Type reports PUBCOMP.
func (Pubcomp) Type() Type { return PUBCOMP }

// Append encodes the PUBCOMP onto dst.
func (p Pubcomp) Append(dst []byte) ([]byte, error) { return appendAck(dst, PUBCOMP, 0, p.PacketID) }

// Type reports UNSUBACK.
func (Unsuback) Type() Type { return UNSUBACK }

// Append encodes the UNSUBACK onto dst.
func (p Unsuback) Append(dst []byte) ([]byte, error) { return appendAck(dst, UNSUBACK, 0, p.PacketID) }

func appendAck(dst []byte, t Type, flags byte, id uint16) ([]byte, error) {
	if id == 0 {
		return dst, wrap(t, ErrZeroPacketID)
	}
	return append(dst, byte(t)<<4|flags, 2, byte(id>>8), byte(id)), nil
}

// decodeAck decodes the body of an acknowledgement: exactly a non-zero
// packet identifier.
func decodeAck(body []byte) (uint16, error) {
	if len(body) != 2 {
		return 0, ErrMalformed
	}
	id := uint16(body[0])<<8 | uint16(body[1])
	if id == 0 {
		return 0, ErrZeroPacketID
	}
	return id, nil
}

// Type reports PINGREQ.
func (Pingreq) Type() Type { return PINGREQ }

// Append encodes the PINGREQ onto dst.
func (Pingreq) Append(dst []byte) ([]byte, error) { return append(dst, byte(PINGREQ)<<4, 0), nil }

// Type reports PINGRESP.
func (Pingresp) Type() Type { return PINGRESP }

// Append encodes the PINGRESP onto dst.
func (Pingresp) Append(dst []byte) ([]byte, error) { return append(dst, byte(PINGRESP)<<4, 0), nil }

// Type reports DISCONNECT.
func (Disconnect) Type() Type { return DISCONNECT }

// Append encodes the DISCONNECT onto dst.
func (Disconnect) Append(dst []byte) ([]byte, error) {
	return append(dst, byte(DISCONNECT)<<4, 0), nil
}
