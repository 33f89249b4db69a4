package packet

// NewSubscribe returns a SUBSCRIBE with identifier id that requests
// filters, encoded into a new Payload in the order given. It returns the
// pointer type a Decoder hands out, and no error, so that a packet can be
// built and sent in one expression: Append checks the packet as Decode
// checks a received one. A filter longer than 65535 bytes has no encoding,
// as its length prefix has two bytes; it is left out of Payload, and
// Append refuses the packet with ErrStringTooLong.
func NewSubscribe(id uint16, filters ...Filter) *Subscribe {
	n := 0
	for _, f := range filters {
		n += 2 + len(f.Topic) + 1
	}
	p := &Subscribe{PacketID: id, Payload: make([]byte, 0, n)}
	for _, f := range filters {
		if len(f.Topic) > maxString {
			p.err = ErrStringTooLong
			continue
		}
		p.Payload = AppendBytes(p.Payload, f.Topic)
		p.Payload = append(p.Payload, byte(f.QoS))
	}
	return p
}

// NewUnsubscribe returns an UNSUBSCRIBE with identifier id for filters,
// encoded into a new Payload as NewSubscribe encodes its filters, and
// checked by Append as they are.
func NewUnsubscribe(id uint16, filters ...[]byte) *Unsubscribe {
	n := 0
	for _, f := range filters {
		n += 2 + len(f)
	}
	p := &Unsubscribe{PacketID: id, Payload: make([]byte, 0, n)}
	for _, f := range filters {
		if len(f) > maxString {
			p.err = ErrStringTooLong
			continue
		}
		p.Payload = AppendBytes(p.Payload, f)
	}
	return p
}

// A FilterIter walks the topic filters in the Payload of a SUBSCRIBE one
// at a time, without allocating, so that a caller needs no storage for
// them however many a packet carries:
//
//	it := p.Iter()
//	for f, ok := it.Next(); ok; f, ok = it.Next() {
//		...
//	}
type FilterIter struct {
	payload []byte
}

// Iter returns an iterator over the filters of p. It starts from the
// first filter each time it is called, so a packet can be walked more
// than once.
func (p Subscribe) Iter() FilterIter {
	return FilterIter{payload: p.Payload}
}

// Next returns the next filter and true, or false when there are no more.
// The topic aliases Payload. Next does not check the filters again, as
// Decode has checked those of a received packet and Append checks those
// of a packet to be sent; a payload cut short inside a filter ends the
// walk there.
func (it *FilterIter) Next() (Filter, bool) {
	topic, rest, ok := readBytes(it.payload)
	if !ok || len(rest) == 0 {
		it.payload = nil
		return Filter{}, false
	}
	it.payload = rest[1:]
	return Filter{Topic: topic, QoS: QoS(rest[0])}, true
}

// A TopicIter walks the topic filters in the Payload of an UNSUBSCRIBE one
// at a time, without allocating; see FilterIter.
type TopicIter struct {
	payload []byte
}

// Iter returns an iterator over the filters of p, from the first each
// time it is called.
func (p Unsubscribe) Iter() TopicIter {
	return TopicIter{payload: p.Payload}
}

// Next returns the next topic filter and true, or false when there are no
// more. The filter aliases Payload, which is read as FilterIter.Next reads
// that of a Subscribe.
func (it *TopicIter) Next() ([]byte, bool) {
	topic, rest, ok := readBytes(it.payload)
	if !ok {
		it.payload = nil
		return nil, false
	}
	it.payload = rest
	return topic, true
}
