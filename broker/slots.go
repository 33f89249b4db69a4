package broker

// slotTables are the parts of New's tables that belong to one session or
// connection slot each. A slot takes its parts the first time it is used
// (session, conn), so a slot never used is never written: on a host its
// pages stay unmapped, and a broker sized for many sessions commits
// memory as clients come. Client identifiers lie in an arena, each in a
// block of its own length, so that the sessions in use share their pages.
type slotTables struct {
	clientIDs      arena
	wills, sources []byte
	flights        []flight
	queue          []queued
	rx             []uint16
	// What each session slot has of them: MaxTopicLength and
	// MaxPayloadSize, MaxInflight and MaxQueued.
	topicCap, payloadCap, inflightCap, queueCap int
}

// session returns session slot i, its parts taken on first use.
func (b *Broker) session(i int) *session {
	s := &b.sessions[i]
	if s.ready {
		return s
	}
	s.ready = true
	s.idx = int32(i)
	s.parts = &b.slots
	return s
}

// conn returns connection slot i, set up on first use.
func (b *Broker) conn(i int32) *conn {
	c := &b.conns[i]
	if c.b != nil {
		return c
	}
	c.b, c.idx, c.dogPos = b, i, -1
	c.sig.init()
	return c
}
