package broker

import "github.com/gatomqtt/gatomqtt/broker/packet"

// A message is a stored PUBLISH body, shared by every queued or in-flight
// delivery that needs it and freed when the last one lets go.
type message struct {
	topic   []byte // capacity MaxTopicLength
	payload []byte // capacity MaxPayloadSize
	refs    int32
}

// store is the fixed pool of message bodies.
type store struct {
	msgs []message
	free []int32 // stack of free indexes
}

func (s *store) init(n, topicCap, payloadCap int) {
	s.msgs = make([]message, n)
	s.free = make([]int32, n)
	topics := make([]byte, n*topicCap)
	payloads := make([]byte, n*payloadCap)
	for i := range s.msgs {
		s.msgs[i].topic = topics[i*topicCap : i*topicCap : (i+1)*topicCap]
		s.msgs[i].payload = payloads[i*payloadCap : i*payloadCap : (i+1)*payloadCap]
		s.free[i] = int32(n - 1 - i)
	}
}

// put copies a message into a free slot holding one reference, or returns
// -1 when the store is full.
func (s *store) put(topic, payload []byte) int32 {
	if len(s.free) == 0 {
		return -1
	}
	i := s.free[len(s.free)-1]
	s.free = s.free[:len(s.free)-1]
	m := &s.msgs[i]
	m.topic = append(m.topic[:0], topic...)
	m.payload = append(m.payload[:0], payload...)
	m.refs = 1
	return i
}

func (s *store) ref(i int32) { s.msgs[i].refs++ }

func (s *store) unref(i int32) {
	m := &s.msgs[i]
	if m.refs--; m.refs == 0 {
		s.free = append(s.free, i)
	}
}

// inUse reports how many slots hold a message.
func (s *store) inUse() int { return len(s.msgs) - len(s.free) }

// A retainedMsg is one slot of the retained store, with its own storage so
// that retained messages never compete with deliveries for store slots.
type retainedMsg struct {
	topic   []byte
	payload []byte
	hash    uint32
	qos     packet.QoS
}

// retainedStore holds at most len(msgs) retained messages in msgs[:n].
type retainedStore struct {
	msgs []retainedMsg
	n    int
}

func (r *retainedStore) init(n, topicCap, payloadCap int) {
	r.msgs = make([]retainedMsg, n)
	topics := make([]byte, n*topicCap)
	payloads := make([]byte, n*payloadCap)
	for i := range r.msgs {
		r.msgs[i].topic = topics[i*topicCap : i*topicCap : (i+1)*topicCap]
		r.msgs[i].payload = payloads[i*payloadCap : i*payloadCap : (i+1)*payloadCap]
	}
}

func (r *retainedStore) find(topic []byte, h uint32) int {
	for i := range r.msgs[:r.n] {
		m := &r.msgs[i]
		if m.hash == h && string(m.topic) == string(topic) {
			return i
		}
	}
	return -1
}

// set stores, replaces or (with an empty payload) deletes the retained
// message of topic. It reports false when a new topic found the store full.
func (r *retainedStore) set(topic, payload []byte, qos packet.QoS) bool {
	h := hashTopic(topic)
	i := r.find(topic, h)
	if len(payload) == 0 {
		if i >= 0 {
			r.n--
			r.msgs[i], r.msgs[r.n] = r.msgs[r.n], r.msgs[i]
		}
		return true
	}
	if i < 0 {
		if r.n == len(r.msgs) {
			return false
		}
		i = r.n
		r.n++
	}
	m := &r.msgs[i]
	m.topic = append(m.topic[:0], topic...)
	m.payload = append(m.payload[:0], payload...)
	m.hash = h
	m.qos = qos
	return true
}
