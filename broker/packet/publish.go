package packet

// PUBLISH fixed-header flag bits (MQTT 3.1.1 section 3.3.1).
const (
	publishRetain   = 0x1
	publishQoSShift = 1
	publishDup      = 0x8
)

// Type reports PUBLISH.
func (Publish) Type() Type { return PUBLISH }

// Append encodes the PUBLISH onto dst. PacketID is written only when QoS
// is above 0, and must then be non-zero.
func (p Publish) Append(dst []byte) ([]byte, error) {
	if p.QoS > 2 {
		return dst, wrap(PUBLISH, ErrInvalidQoS)
	}
	if err := ValidTopicName(p.Topic); err != nil {
		return dst, wrap(PUBLISH, err)
	}
	n := 2 + len(p.Topic) + len(p.Payload)
	if p.QoS > 0 {
		if p.PacketID == 0 {
			return dst, wrap(PUBLISH, ErrZeroPacketID)
		}
		n += 2
	}
	if n > MaxRemainingLength {
		return dst, wrap(PUBLISH, ErrPacketTooLarge)
	}
	flags := byte(p.QoS) << publishQoSShift
	if p.Dup {
		flags |= publishDup
	}
	if p.Retain {
		flags |= publishRetain
	}
	dst = AppendHeader(dst, PUBLISH, flags, n)
	dst = AppendBytes(dst, p.Topic)
	if p.QoS > 0 {
		dst = AppendUint16(dst, p.PacketID)
	}
	return append(dst, p.Payload...), nil
}

// Len reports how many bytes Append would write for p, fixed header
// included, so that a sender can check it against a peer's limit or its
// own buffer before encoding.
func (p Publish) Len() int {
	n := 2 + len(p.Topic) + len(p.Payload)
	if p.QoS > 0 {
		n += 2
	}
	return HeaderSize(n) + n
}

// decode decodes a PUBLISH with the given fixed-header flags. Topic and
// Payload alias body. A set DUP flag on a QoS 0 message (forbidden to the
// sender by MQTT-3.3.1-2) is reported, not refused.
func (p *Publish) decode(flags byte, body []byte) error {
	*p = Publish{
		Dup:    flags&publishDup != 0,
		QoS:    QoS(flags>>publishQoSShift) & 3,
		Retain: flags&publishRetain != 0,
	}
	if p.QoS == 3 {
		return ErrInvalidQoS
	}
	topic, rest, ok := readBytes(body)
	if !ok {
		return ErrMalformed
	}
	if err := ValidTopicName(topic); err != nil {
		return err
	}
	p.Topic = topic
	if p.QoS > 0 {
		if p.PacketID, rest, ok = readUint16(rest); !ok {
			return ErrMalformed
		}
		if p.PacketID == 0 {
			return ErrZeroPacketID
		}
	}
	p.Payload = rest
	return nil
}
