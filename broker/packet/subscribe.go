package packet

// subscribeQoSReserved are the bits of a requested QoS byte that must be
// zero (MQTT-3.8.3-4).
const subscribeQoSReserved = 0xfc

// Type reports SUBSCRIBE.
func (Subscribe) Type() Type { return SUBSCRIBE }

// Append encodes the SUBSCRIBE onto dst, with the fixed-header flags 0010.
func (p Subscribe) Append(dst []byte) ([]byte, error) {
	if p.PacketID == 0 {
		return dst, wrap(SUBSCRIBE, ErrZeroPacketID)
	}
	if len(p.Filters) == 0 {
		return dst, wrap(SUBSCRIBE, ErrNoFilters)
	}
	n := 2
	for _, f := range p.Filters {
		if err := ValidTopicFilter(f.Topic); err != nil {
			return dst, wrap(SUBSCRIBE, err)
		}
		if f.QoS > 2 {
			return dst, wrap(SUBSCRIBE, ErrInvalidQoS)
		}
		n += 2 + len(f.Topic) + 1
	}
	if n > MaxRemainingLength {
		return dst, wrap(SUBSCRIBE, ErrPacketTooLarge)
	}
	dst = AppendHeader(dst, SUBSCRIBE, 2, n)
	dst = AppendUint16(dst, p.PacketID)
	for _, f := range p.Filters {
		dst = AppendBytes(dst, f.Topic)
		dst = append(dst, byte(f.QoS))
	}
	return dst, nil
}

// decode decodes the body of a SUBSCRIBE into p.Filters[:0], refusing more
// than limit filters when limit is positive.
func (p *Subscribe) decode(body []byte, limit int) error {
	p.PacketID = 0
	p.Filters = p.Filters[:0]
	id, rest, ok := readUint16(body)
	if !ok {
		return ErrMalformed
	}
	if id == 0 {
		return ErrZeroPacketID
	}
	p.PacketID = id
	if len(rest) == 0 {
		return ErrNoFilters
	}
	for len(rest) > 0 {
		var topic []byte
		if topic, rest, ok = readBytes(rest); !ok || len(rest) == 0 {
			return ErrMalformed
		}
		if err := ValidTopicFilter(topic); err != nil {
			return err
		}
		qos := rest[0]
		rest = rest[1:]
		if qos&subscribeQoSReserved != 0 {
			return ErrSubscribeReserved
		}
		if qos == 3 {
			return ErrInvalidQoS
		}
		if limit > 0 && len(p.Filters) == limit {
			return ErrTooManyFilters
		}
		p.Filters = append(p.Filters, Filter{Topic: topic, QoS: QoS(qos)})
	}
	return nil
}

// Type reports SUBACK.
func (Suback) Type() Type { return SUBACK }

// Append encodes the SUBACK onto dst.
func (p Suback) Append(dst []byte) ([]byte, error) {
	if p.PacketID == 0 {
		return dst, wrap(SUBACK, ErrZeroPacketID)
	}
	if len(p.ReturnCodes) == 0 {
		return dst, wrap(SUBACK, ErrNoFilters)
	}
	for _, c := range p.ReturnCodes {
		if !validSubackCode(c) {
			return dst, wrap(SUBACK, ErrSubackCode)
		}
	}
	n := 2 + len(p.ReturnCodes)
	if n > MaxRemainingLength {
		return dst, wrap(SUBACK, ErrPacketTooLarge)
	}
	dst = AppendHeader(dst, SUBACK, 0, n)
	dst = AppendUint16(dst, p.PacketID)
	return append(dst, p.ReturnCodes...), nil
}

// decode decodes the body of a SUBACK; ReturnCodes aliases body.
func (p *Suback) decode(body []byte) error {
	*p = Suback{}
	id, rest, ok := readUint16(body)
	if !ok {
		return ErrMalformed
	}
	if id == 0 {
		return ErrZeroPacketID
	}
	if len(rest) == 0 {
		return ErrNoFilters
	}
	for _, c := range rest {
		if !validSubackCode(c) {
			return ErrSubackCode
		}
	}
	p.PacketID = id
	p.ReturnCodes = rest
	return nil
}

func validSubackCode(c byte) bool { return c <= 2 || c == SubackFailure }

// Type reports UNSUBSCRIBE.
func (Unsubscribe) Type() Type { return UNSUBSCRIBE }

// Append encodes the UNSUBSCRIBE onto dst, with the fixed-header flags 0010.
func (p Unsubscribe) Append(dst []byte) ([]byte, error) {
	if p.PacketID == 0 {
		return dst, wrap(UNSUBSCRIBE, ErrZeroPacketID)
	}
	if len(p.Topics) == 0 {
		return dst, wrap(UNSUBSCRIBE, ErrNoFilters)
	}
	n := 2
	for _, t := range p.Topics {
		if err := ValidTopicFilter(t); err != nil {
			return dst, wrap(UNSUBSCRIBE, err)
		}
		n += 2 + len(t)
	}
	if n > MaxRemainingLength {
		return dst, wrap(UNSUBSCRIBE, ErrPacketTooLarge)
	}
	dst = AppendHeader(dst, UNSUBSCRIBE, 2, n)
	dst = AppendUint16(dst, p.PacketID)
	for _, t := range p.Topics {
		dst = AppendBytes(dst, t)
	}
	return dst, nil
}

// decode decodes the body of an UNSUBSCRIBE into p.Topics[:0], refusing
// more than limit filters when limit is positive.
func (p *Unsubscribe) decode(body []byte, limit int) error {
	p.PacketID = 0
	p.Topics = p.Topics[:0]
	id, rest, ok := readUint16(body)
	if !ok {
		return ErrMalformed
	}
	if id == 0 {
		return ErrZeroPacketID
	}
	p.PacketID = id
	if len(rest) == 0 {
		return ErrNoFilters
	}
	for len(rest) > 0 {
		var topic []byte
		if topic, rest, ok = readBytes(rest); !ok {
			return ErrMalformed
		}
		if err := ValidTopicFilter(topic); err != nil {
			return err
		}
		if limit > 0 && len(p.Topics) == limit {
			return ErrTooManyFilters
		}
		p.Topics = append(p.Topics, topic)
	}
	return nil
}
