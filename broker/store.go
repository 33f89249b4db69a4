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

// init sets the store up in msgs, with the buffers of each message and
// the free list taken from t.
func (s *store) init(msgs []message, topicCap, payloadCap int, t *tables) {
	s.msgs = msgs
	s.free = t.takeInts(len(msgs))
	for i := range s.msgs {
		s.msgs[i].topic = t.take(topicCap)
		s.msgs[i].payload = t.take(payloadCap)
		s.free[i] = int32(len(msgs) - 1 - i)
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

// init sets the store up in msgs, with the buffers of each message taken
// from t.
func (r *retainedStore) init(msgs []retainedMsg, topicCap, payloadCap int, t *tables) {
	r.msgs = msgs
	for i := range r.msgs {
		r.msgs[i].topic = t.take(topicCap)
		r.msgs[i].payload = t.take(payloadCap)
	}
}

func (r *retainedStore) find(topic []byte, h uint32) int {
	for i := range r.msgs[:r.n] {
		m := &r.msgs[i]
		if m.hash == h && same(m.topic, topic) {
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
