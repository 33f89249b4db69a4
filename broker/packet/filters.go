package packet

// A FilterIter walks the topic filters of a SUBSCRIBE one at a time,
// without allocating, so that a caller needs no storage for them however
// many a packet carries:
//
//	it := p.Iter()
//	for f, ok := it.Next(); ok; f, ok = it.Next() {
//		...
//	}
type FilterIter struct {
	payload []byte
	filters []Filter
}

// Iter returns an iterator over the filters of p: those in Payload when it
// is set, else those in Filters. It starts from the first filter each time
// it is called.
func (p Subscribe) Iter() FilterIter {
	if len(p.Payload) > 0 {
		return FilterIter{payload: p.Payload}
	}
	return FilterIter{filters: p.Filters}
}

// Next returns the next filter and true, or false when there are no more.
// The topic aliases the packet. Next reads Payload without checking it
// again, as Decode and Append check it; a payload cut short inside a
// filter ends the walk there.
func (it *FilterIter) Next() (Filter, bool) {
	if len(it.filters) > 0 {
		f := it.filters[0]
		it.filters = it.filters[1:]
		return f, true
	}
	topic, rest, ok := readBytes(it.payload)
	if !ok || len(rest) == 0 {
		it.payload = nil
		return Filter{}, false
	}
	it.payload = rest[1:]
	return Filter{Topic: topic, QoS: QoS(rest[0])}, true
}

// A TopicIter walks the topic filters of an UNSUBSCRIBE one at a time,
// without allocating; see FilterIter.
type TopicIter struct {
	payload []byte
	topics  [][]byte
}

// Iter returns an iterator over the filters of p: those in Payload when it
// is set, else those in Topics.
func (p Unsubscribe) Iter() TopicIter {
	if len(p.Payload) > 0 {
		return TopicIter{payload: p.Payload}
	}
	return TopicIter{topics: p.Topics}
}

// Next returns the next topic filter and true, or false when there are no
// more. The filter aliases the packet; Payload is read as FilterIter.Next
// reads it.
func (it *TopicIter) Next() ([]byte, bool) {
	if len(it.topics) > 0 {
		t := it.topics[0]
		it.topics = it.topics[1:]
		return t, true
	}
	topic, rest, ok := readBytes(it.payload)
	if !ok {
		it.payload = nil
		return nil, false
	}
	it.payload = rest
	return topic, true
}
