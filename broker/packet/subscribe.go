package packet

// subscribeQoSReserved are the bits of a requested QoS byte that must be
// zero (MQTT-3.8.3-4).
const subscribeQoSReserved = 0xfc

// Type reports SUBSCRIBE.
func (Subscribe) Type() Type { return SUBSCRIBE }

// Append encodes the SUBSCRIBE onto dst, with the fixed-header flags 0010,
// after checking it as Decode checks a received one.
func (p Subscribe) Append(dst []byte) ([]byte, error) {
	if err := p.check(); err != nil {
		return dst, wrap(SUBSCRIBE, err)
	}
	return appendPayload(dst, SUBSCRIBE, p.PacketID, p.Payload)
}

// check checks a SUBSCRIBE to be sent. A filter too long for NewSubscribe
// to encode is reported before the filters in Payload are read, as it is
// missing from them.
func (p Subscribe) check() error {
	switch {
	case p.PacketID == 0:
		return ErrZeroPacketID
	case p.err != nil:
		return p.err
	case len(p.Payload) == 0:
		return ErrNoFilters
	}
	return checkFilters(p.Payload)
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

// decode decodes the body of a SUBSCRIBE, checking every filter; Payload
// aliases them in body.
func (p *Subscribe) decode(body []byte) error {
	*p = Subscribe{}
	id, filters, err := readFilterList(body)
	if err != nil {
		return err
	}
	if err := checkFilters(filters); err != nil {
		return err
	}
	p.PacketID, p.Payload = id, filters
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

// checkFilters checks every topic filter and requested QoS of a SUBSCRIBE
// payload.
func checkFilters(payload []byte) error {
	for rest := payload; len(rest) > 0; {
		topic, r, ok := readBytes(rest)
		if !ok || len(r) == 0 {
			return ErrMalformed
		}
		if err := ValidTopicFilter(topic); err != nil {
			return err
		}
		qos := r[0]
		if qos&subscribeQoSReserved != 0 {
			return ErrSubscribeReserved
		}
		if qos == 3 {
			return ErrInvalidQoS
		}
		rest = r[1:]
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

// Append encodes the UNSUBSCRIBE onto dst, with the fixed-header flags
// 0010, after checking it as Decode checks a received one.
func (p Unsubscribe) Append(dst []byte) ([]byte, error) {
	if err := p.check(); err != nil {
		return dst, wrap(UNSUBSCRIBE, err)
	}
	return appendPayload(dst, UNSUBSCRIBE, p.PacketID, p.Payload)
}

// check checks an UNSUBSCRIBE to be sent, as Subscribe.check does a
// SUBSCRIBE.
func (p Unsubscribe) check() error {
	switch {
	case p.PacketID == 0:
		return ErrZeroPacketID
	case p.err != nil:
		return p.err
	case len(p.Payload) == 0:
		return ErrNoFilters
	}
	return checkTopics(p.Payload)
}

// decode decodes the body of an UNSUBSCRIBE, checking every filter;
// Payload aliases them in body.
func (p *Unsubscribe) decode(body []byte) error {
	*p = Unsubscribe{}
	id, filters, err := readFilterList(body)
	if err != nil {
		return err
	}
	if err := checkTopics(filters); err != nil {
		return err
	}
	p.PacketID, p.Payload = id, filters
	return nil
}

// checkTopics checks every topic filter of an UNSUBSCRIBE payload.
func checkTopics(payload []byte) error {
	for rest := payload; len(rest) > 0; {
		topic, r, ok := readBytes(rest)
		if !ok {
			return ErrMalformed
		}
		if err := ValidTopicFilter(topic); err != nil {
			return err
		}
		rest = r
	}
	return nil
}
