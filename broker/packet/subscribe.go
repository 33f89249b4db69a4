package packet

// subscribeQoSReserved are the bits of a requested QoS byte that must be
// zero (MQTT-3.8.3-4).
const subscribeQoSReserved = 0xfc

// Type reports SUBSCRIBE.
func (Subscribe) Type() Type { return SUBSCRIBE }

// Append encodes the SUBSCRIBE onto dst, with the fixed-header flags 0010:
// the filters in Payload when it is set, else those in Filters.
func (p Subscribe) Append(dst []byte) ([]byte, error) {
	if p.PacketID == 0 {
		return dst, wrap(SUBSCRIBE, ErrZeroPacketID)
	}
	if len(p.Payload) > 0 {
		for rest := p.Payload; len(rest) > 0; {
			var err error
			if _, rest, err = readFilter(rest); err != nil {
				return dst, wrap(SUBSCRIBE, err)
			}
		}
		return appendPayload(dst, SUBSCRIBE, p.PacketID, p.Payload)
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

// appendPayload encodes a SUBSCRIBE or UNSUBSCRIBE whose payload is
// already encoded and checked.
func appendPayload(dst []byte, t Type, id uint16, payload []byte) ([]byte, error) {
	n := 2 + len(payload)
	if n > MaxRemainingLength {
		return dst, wrap(t, ErrPacketTooLarge)
	}
	dst = AppendHeader(dst, t, 2, n)
	dst = AppendUint16(dst, id)
	return append(dst, payload...), nil
}

// decode decodes the body of a SUBSCRIBE: Payload aliases the filters in
// body, and with fill set they are appended to Filters[:0] as well. More
// than limit filters are refused when limit is positive.
func (p *Subscribe) decode(body []byte, limit int, fill bool) error {
	p.PacketID, p.Filters, p.Payload = 0, p.Filters[:0], nil
	id, rest, err := readFilterList(body)
	if err != nil {
		return err
	}
	p.PacketID, p.Payload = id, rest
	for n := 0; len(rest) > 0; n++ {
		f, r, err := readFilter(rest)
		if err != nil {
			return err
		}
		if limit > 0 && n == limit {
			return ErrTooManyFilters
		}
		if fill {
			p.Filters = append(p.Filters, f)
		}
		rest = r
	}
	return nil
}

// readFilterList reads the packet identifier that starts a SUBSCRIBE or
// UNSUBSCRIBE body and returns it with the filters that follow, of which
// there must be at least one.
func readFilterList(body []byte) (id uint16, filters []byte, err error) {
	id, rest, ok := readUint16(body)
	switch {
	case !ok:
		return 0, nil, ErrMalformed
	case id == 0:
		return 0, nil, ErrZeroPacketID
	case len(rest) == 0:
		return 0, nil, ErrNoFilters
	}
	return id, rest, nil
}

// readFilter reads and checks the first topic filter and requested QoS of
// a SUBSCRIBE payload.
func readFilter(b []byte) (f Filter, rest []byte, err error) {
	topic, rest, ok := readBytes(b)
	if !ok || len(rest) == 0 {
		return Filter{}, b, ErrMalformed
	}
	if err := ValidTopicFilter(topic); err != nil {
		return Filter{}, b, err
	}
	qos := rest[0]
	if qos&subscribeQoSReserved != 0 {
		return Filter{}, b, ErrSubscribeReserved
	}
	if qos == 3 {
		return Filter{}, b, ErrInvalidQoS
	}
	return Filter{Topic: topic, QoS: QoS(qos)}, rest[1:], nil
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

// Append encodes the UNSUBSCRIBE onto dst, with the fixed-header flags
// 0010: the filters in Payload when it is set, else those in Topics.
func (p Unsubscribe) Append(dst []byte) ([]byte, error) {
	if p.PacketID == 0 {
		return dst, wrap(UNSUBSCRIBE, ErrZeroPacketID)
	}
	if len(p.Payload) > 0 {
		for rest := p.Payload; len(rest) > 0; {
			var err error
			if _, rest, err = readTopic(rest); err != nil {
				return dst, wrap(UNSUBSCRIBE, err)
			}
		}
		return appendPayload(dst, UNSUBSCRIBE, p.PacketID, p.Payload)
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

// decode decodes the body of an UNSUBSCRIBE: Payload aliases the filters
// in body, and with fill set they are appended to Topics[:0] as well. More
// than limit filters are refused when limit is positive.
func (p *Unsubscribe) decode(body []byte, limit int, fill bool) error {
	p.PacketID, p.Topics, p.Payload = 0, p.Topics[:0], nil
	id, rest, err := readFilterList(body)
	if err != nil {
		return err
	}
	p.PacketID, p.Payload = id, rest
	for n := 0; len(rest) > 0; n++ {
		topic, r, err := readTopic(rest)
		if err != nil {
			return err
		}
		if limit > 0 && n == limit {
			return ErrTooManyFilters
		}
		if fill {
			p.Topics = append(p.Topics, topic)
		}
		rest = r
	}
	return nil
}

// readTopic reads and checks the first topic filter of an UNSUBSCRIBE
// payload.
func readTopic(b []byte) (topic, rest []byte, err error) {
	topic, rest, ok := readBytes(b)
	if !ok {
		return nil, b, ErrMalformed
	}
	if err := ValidTopicFilter(topic); err != nil {
		return nil, b, err
	}
	return topic, rest, nil
}
