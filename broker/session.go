package broker

import (
	"strconv"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// Delivery states of an in-flight message.
const (
	flightFree     = iota
	flightWaitAck  // PUBLISH sent, waiting for PUBACK (QoS 1) or PUBREC (QoS 2)
	flightWaitComp // PUBREL sent, waiting for PUBCOMP
)

// A flight is an outgoing QoS 1 or 2 message waiting for acknowledgement.
type flight struct {
	msg    int32 // store slot; -1 once PUBREC let the body go
	id     uint16
	qos    packet.QoS
	state  uint8
	retain bool
	unsent bool // to be (re)transmitted: set for every flight on resumption
}

// A queued delivery waits for the outbox or, at QoS 1 and 2, for a free
// in-flight slot. For the in-process client, slot names the handler a
// retained replay is for (-1: every handler whose filter matches).
type queued struct {
	msg    int32
	slot   int16
	qos    packet.QoS
	retain bool
}

// A session is the state MQTT keeps for a client identifier: its
// subscriptions (in the broker's subIndex), its outgoing QoS 1/2 messages
// and the packet identifiers of incoming QoS 2 messages not yet released.
type session struct {
	idx   int32
	ready bool // its parts of the slot tables are taken; see Broker.session
	used  bool
	app   bool // the in-process client
	anon  bool // connected with an empty client identifier; never resumed
	clean bool
	user  int32 // the user of its last connection, as conn.user
	conn  *conn // nil while offline

	// parts holds its client identifier, its rings (inflight, queue, rx)
	// and its will, in slot idx of each table: a pointer where six
	// slices would take 144 bytes of every session.
	parts      *slotTables
	idOff      int32 // in parts.clientIDs
	idLen      uint16
	rxLen      uint16 // incoming QoS 2 identifiers awaiting PUBREL, see rx
	willTopicN uint16
	willBodyN  int32

	ifHead, ifLen, ifUsed int // of the inflight ring; ifLen counts freed holes still inside the window
	unsent                int
	nextID                uint16
	qHead, qLen           int // of the queue ring
	willFlag, willRetain  bool
	willQoS               packet.QoS
	rateTAT               int64 // rate limit: theoretical arrival time, ns since the broker's epoch
	waiters               int   // publishers waiting for the queue to drain
	slow                  bool  // made a publisher wait SlowConsumerWait; not waited for until drained
	// offline is set while the session's deliveries count in
	// Broker.offlineHeld: from the end of its connection until it is
	// resumed or dropped. offlineSince is when that began, ns since the
	// broker's epoch.
	offline      bool
	offlineSince int64
}

// held counts the store references the session holds: queued deliveries
// and flights whose body has not been let go.
func (s *session) held() int {
	n := s.qLen
	for i := 0; i < s.ifLen; i++ {
		if f := s.flightAt(i); f.state != flightFree && f.msg >= 0 {
			n++
		}
	}
	return n
}

// reset empties the session for a new client, keeping its storage.
func (s *session) reset() {
	s.anon, s.clean, s.conn, s.user = false, false, nil, -1
	s.dropClientID()
	// Only the window is ever read, and a flight is written whole when
	// it starts: what lies outside stays as it is, unwritten in a slot
	// never used.
	for i := range s.ifLen {
		*s.flightAt(i) = flight{}
	}
	s.ifHead, s.ifLen, s.ifUsed, s.unsent = 0, 0, 0, 0
	s.qHead, s.qLen = 0, 0
	s.rxLen = 0
	s.willFlag = false
	s.rateTAT = 0
	s.slow = false
	s.offline = false
}

// describe names the session in a log line: "" for none, " for the
// in-process client", or " for client \"id\"".
func (s *session) describe() string {
	switch {
	case s == nil:
		return ""
	case s.app:
		return " for the in-process client"
	case s.anon:
		return " for a client with no identifier"
	}
	return " for client " + strconv.Quote(string(s.clientID()))
}

// clientID returns the session's client identifier.
func (s *session) clientID() []byte { return s.parts.clientIDs.get(s.idOff, int(s.idLen)) }

// setClientID makes id, which fits MaxClientIDLength, the session's
// client identifier.
func (s *session) setClientID(id []byte) {
	s.dropClientID()
	s.idOff, s.idLen = s.parts.clientIDs.put(id), uint16(len(id))
}

// dropClientID gives the client identifier's block back.
func (s *session) dropClientID() {
	s.parts.clientIDs.drop(s.idOff, int(s.idLen))
	s.idLen = 0
}

// inflight returns the ring of outgoing QoS 1 and 2 deliveries.
func (s *session) inflight() []flight {
	n := s.parts.inflightCap
	at := int(s.idx) * n
	return s.parts.flights[at : at+n : at+n]
}

// queue returns the ring of deliveries waiting for a flight or the
// outbox.
func (s *session) queue() []queued {
	n := s.parts.queueCap
	at := int(s.idx) * n
	return s.parts.queue[at : at+n : at+n]
}

// rx returns the identifiers of incoming QoS 2 messages awaiting PUBREL,
// with room for MaxInflight.
func (s *session) rx() []uint16 {
	n := s.parts.inflightCap
	at := int(s.idx) * n
	return s.parts.rx[at : at+int(s.rxLen) : at+n]
}

// setWill keeps topic and payload, which fit the limits, as the will.
func (s *session) setWill(topic, payload []byte) {
	w := s.will()
	s.willTopicN = uint16(copy(w[:s.parts.topicCap], topic))
	s.willBodyN = int32(copy(w[s.parts.topicCap:], payload))
}

// willTopic and willPayload return the will setWill kept.
func (s *session) willTopic() []byte   { return s.will()[:s.willTopicN] }
func (s *session) willPayload() []byte { return s.will()[s.parts.topicCap:][:s.willBodyN] }

func (s *session) will() []byte {
	n := s.parts.topicCap + s.parts.payloadCap
	at := int(s.idx) * n
	return s.parts.wills[at : at+n : at+n]
}

// congested reports whether the queue is three quarters full.
func (s *session) congested() bool { n := s.parts.queueCap; return s.qLen >= n-n/4 }

// drained reports whether the queue is at most half full.
func (s *session) drained() bool { return s.qLen <= s.parts.queueCap/2 }

// pushQueue appends a delivery; the caller checks for room.
func (s *session) pushQueue(q queued) {
	s.queue()[(s.qHead+s.qLen)%s.parts.queueCap] = q
	s.qLen++
}

func (s *session) queueFull() bool { return s.qLen == s.parts.queueCap }

func (s *session) popQueue() queued {
	q := s.queue()[s.qHead]
	s.qHead = (s.qHead + 1) % s.parts.queueCap
	s.qLen--
	return q
}

// flightAt returns the i-th flight of the window, oldest first.
func (s *session) flightAt(i int) *flight {
	return &s.inflight()[(s.ifHead+i)%s.parts.inflightCap]
}

// findFlight returns the live flight with packet identifier id, or nil.
func (s *session) findFlight(id uint16) *flight {
	for i := 0; i < s.ifLen; i++ {
		if f := s.flightAt(i); f.state != flightFree && f.id == id {
			return f
		}
	}
	return nil
}

// hasFlightRoom reports whether a new flight fits, closing the holes left
// by out-of-order acknowledgements when the window is full of them.
func (s *session) hasFlightRoom() bool {
	if s.ifLen < s.parts.inflightCap {
		return true
	}
	if s.ifUsed == s.parts.inflightCap {
		return false
	}
	n := 0
	for i := 0; i < s.ifLen; i++ {
		if f := s.flightAt(i); f.state != flightFree {
			*s.flightAt(n) = *f
			n++
		}
	}
	for i := n; i < s.ifLen; i++ {
		*s.flightAt(i) = flight{}
	}
	s.ifLen = n
	return true
}

// pushFlight starts a flight for a queued QoS 1 or 2 delivery and returns
// it; the caller checks hasFlightRoom first.
func (s *session) pushFlight(q queued) *flight {
	f := s.flightAt(s.ifLen)
	s.ifLen++
	s.ifUsed++
	*f = flight{msg: q.msg, id: s.newPacketID(), qos: q.qos, state: flightWaitAck, retain: q.retain}
	return f
}

// releaseFlight frees f and slides the window past freed flights.
func (s *session) releaseFlight(f *flight) {
	*f = flight{}
	s.ifUsed--
	for s.ifLen > 0 && s.flightAt(0).state == flightFree {
		s.ifHead = (s.ifHead + 1) % s.parts.inflightCap
		s.ifLen--
	}
}

// newPacketID returns an identifier no live flight uses.
func (s *session) newPacketID() uint16 {
	for {
		s.nextID++
		if s.nextID == 0 {
			s.nextID = 1
		}
		if s.findFlight(s.nextID) == nil {
			return s.nextID
		}
	}
}

// markUnsent arranges for every flight to be sent again, in order, as the
// standard asks on resumption of a session (MQTT 3.1.1 section 4.4).
func (s *session) markUnsent() {
	s.unsent = 0
	for i := 0; i < s.ifLen; i++ {
		if f := s.flightAt(i); f.state != flightFree {
			f.unsent = true
			s.unsent++
		}
	}
}

func (s *session) hasRx(id uint16) bool {
	for _, r := range s.rx() {
		if r == id {
			return true
		}
	}
	return false
}

// addRx remembers id, which the caller has checked for room (rxFull).
func (s *session) addRx(id uint16) {
	s.parts.rx[int(s.idx)*s.parts.inflightCap+int(s.rxLen)] = id
	s.rxLen++
}

// rxFull reports whether MaxInflight identifiers await PUBREL.
func (s *session) rxFull() bool { return int(s.rxLen) == s.parts.inflightCap }

func (s *session) removeRx(id uint16) {
	rx := s.rx()
	for i, r := range rx {
		if r == id {
			last := len(rx) - 1
			rx[i] = rx[last]
			s.rxLen--
			return
		}
	}
}
