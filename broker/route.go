package broker

import "github.com/gatomqtt/gatomqtt/broker/packet"

// Routing runs with b.mu held, in the goroutine of the publisher. It copies
// a message straight into the outbox of each online subscriber when it can,
// and into one shared store slot when some delivery has to wait; nothing is
// allocated.

// route delivers a message to every session with a matching subscription,
// once per session at the highest QoS granted among them, and updates the
// retained store when retain is set. It returns the last subscriber it
// left congested, or nil, for the publisher's reader to wait for.
func (b *Broker) route(topic, payload []byte, qos packet.QoS, retain bool) (congested *session) {
	if retain && !b.retained.set(topic, payload, qos) {
		b.stats.retainedRefused++
	}
	b.collect(topic)
	msg := int32(-1)
	for _, si := range b.matched {
		granted := packet.QoS(b.marks[si] - 1)
		b.marks[si] = 0
		s := &b.sessions[si]
		var full bool
		if msg, full = b.deliver(s, topic, payload, min(qos, granted), false, -1, msg); full {
			congested = s
		}
	}
	b.matched = b.matched[:0]
	if msg >= 0 {
		b.store.unref(msg)
	}
	return congested
}

// collect fills b.matched and b.marks with the sessions subscribed to
// topic: those to the same exact filter in its hash bucket, and those to
// filters with wildcards through the tree, which visits only the
// subscriptions that nearly match (see subTree), so that the cost of
// routing does not grow with unrelated subscriptions.
func (b *Broker) collect(topic []byte) {
	x := &b.subs
	h := hashTopic(topic)
	for i := x.head(h); i >= 0; {
		e := &x.entries[i]
		if e.hash == h && same(x.filter(i), topic) {
			b.mark(e.sess, e.qos)
		}
		i = e.next
	}
	b.collectTree(topic)
}

func (b *Broker) mark(s int32, qos packet.QoS) {
	m := b.marks[s]
	if m == 0 {
		b.matched = append(b.matched, s)
	}
	if uint8(qos)+1 > m {
		b.marks[s] = uint8(qos) + 1
	}
}

// deliver hands one message to session s at qos. msg is the store slot
// already holding the message, or -1; deliver returns the slot it used, on
// which the caller holds one reference and must drop it when done, and
// whether it left s congested, so that route can tell its caller which
// subscriber to wait for (see pace).
func (b *Broker) deliver(s *session, topic, payload []byte, qos packet.QoS, retain bool, slot int16, msg int32) (int32, bool) {
	c := s.conn
	if b.acl != nil && !s.app && !b.readable(s, topic) {
		b.drop(DropReadDenied, s, topic)
		return msg, false
	}
	switch {
	case s.app:
	case c == nil:
		if qos == 0 {
			b.drop(DropOffline, s, topic)
			return msg, false
		}
		// An offline session never takes the last slots of the store from
		// online ones; like a full queue, the share keeps the oldest
		// messages and drops the new one, as mosquitto's queue does.
		if s.offline && (s.queueFull() || b.offlineHeld >= b.lim.MaxOfflineMessages) {
			b.drop(DropOfflineQueueFull, s, topic)
			return msg, false
		}
	case qos == 0 && s.qLen == 0:
		if n := publishSize(topic, payload, 0); c.room() >= n {
			c.out = appendPublish(c.out, topic, payload, 0, 0, false, retain)
			b.stats.messagesOut++
			c.kick()
			return msg, false
		}
	}
	if s.queueFull() {
		b.drop(DropQueueFull, s, topic)
		return msg, false
	}
	if msg < 0 {
		if msg = b.store.put(topic, payload); msg < 0 {
			b.drop(DropStoreFull, s, topic)
			return msg, false
		}
	}
	b.store.ref(msg)
	s.pushQueue(queued{msg: msg, slot: slot, qos: qos, retain: retain})
	if s.offline {
		b.offlineHeld++
	}
	congested := !s.slow && (s.app || c != nil) && s.congested()
	switch {
	case s.app:
		b.app.kick()
	case c != nil:
		b.pump(s)
	}
	return msg, congested
}

// pump moves what waits in session s into its connection's outbox, as far
// as the outbox and the in-flight window allow: first the flights to be
// sent again after a resumption, in their order, then the queue.
func (b *Broker) pump(s *session) {
	c := s.conn
	if c == nil || s.app {
		return
	}
	start := len(c.out)
	for i := 0; s.unsent > 0 && i < s.ifLen; i++ {
		f := s.flightAt(i)
		if f.state == flightFree || !f.unsent {
			continue
		}
		if f.state == flightWaitComp {
			if c.room() < ackSize {
				break
			}
			c.out = appendAck(c.out, packet.PUBREL, f.id)
		} else {
			m := &b.store.msgs[f.msg]
			if c.room() < publishSize(m.topic, m.payload, f.qos) {
				break
			}
			c.out = appendPublish(c.out, m.topic, m.payload, f.qos, f.id, true, f.retain)
			b.stats.messagesOut++
		}
		f.unsent = false
		s.unsent--
	}
	for s.unsent == 0 && s.qLen > 0 {
		q := &s.queue()[s.qHead]
		m := &b.store.msgs[q.msg]
		if c.room() < publishSize(m.topic, m.payload, q.qos) {
			break
		}
		if q.qos == 0 {
			c.out = appendPublish(c.out, m.topic, m.payload, 0, 0, false, q.retain)
			b.store.unref(q.msg)
		} else {
			if !s.hasFlightRoom() {
				break
			}
			f := s.pushFlight(*q) // the queue's reference moves to the flight
			c.out = appendPublish(c.out, m.topic, m.payload, f.qos, f.id, false, f.retain)
		}
		s.popQueue()
		b.stats.messagesOut++
	}
	b.noteDrain(s)
	if len(c.out) > start {
		c.kick()
	}
}

// replayRetained delivers to session s, with the retain flag set, the
// retained messages matching a filter it has just been granted qos on.
func (b *Broker) replayRetained(s *session, filter []byte, qos packet.QoS, slot int16) {
	for i := range b.retained.msgs[:b.retained.n] {
		r := &b.retained.msgs[i]
		if !match(filter, r.topic) {
			continue
		}
		if msg, _ := b.deliver(s, r.topic, r.payload, min(qos, r.qos), true, slot, -1); msg >= 0 {
			b.store.unref(msg)
		}
	}
}

// publishWill publishes and forgets the will of session s.
func (b *Broker) publishWill(s *session) {
	if !s.willFlag {
		return
	}
	s.willFlag = false
	b.stats.wills++
	b.route(s.willTopic(), s.willPayload(), s.willQoS, s.willRetain)
}

// dropSession forgets session s and everything it holds.
func (b *Broker) dropSession(s *session) {
	b.resume(s)
	b.subs.removeAll(s.idx)
	for i := 0; i < s.ifLen; i++ {
		if f := s.flightAt(i); f.state != flightFree && f.msg >= 0 {
			b.store.unref(f.msg)
		}
	}
	for s.qLen > 0 {
		b.store.unref(s.popQueue().msg)
	}
	if !s.app && !s.anon {
		b.ids.remove(b, s)
	}
	s.reset()
	if !s.app {
		s.used = false
		b.freeSess = append(b.freeSess, s.idx)
		b.nsess--
		b.drainedCond.Broadcast() // for waitForSession
	}
}

// noteDrain wakes the publishers waiting for s once its queue has drained.
func (b *Broker) noteDrain(s *session) {
	if s.drained() {
		s.slow = false
		if s.waiters > 0 {
			b.drainedCond.Broadcast()
		}
	}
}

// pace holds back the reader of c, which has just delivered to the
// congested session s, until s drains, goes offline or has held it back
// for SlowConsumerWait; then s is marked slow and no longer waited for.
// Holding back a publisher's reader lets TCP flow control slow it down to
// the pace of its subscribers, instead of losing messages. Called with
// b.mu held.
//
// A reader is also the only way in for its client's acknowledgements, so
// it is not held back while another publisher waits for its own session
// to drain: two clients publishing to each other would otherwise both
// wait out SlowConsumerWait, each with the PUBACKs that free the other
// unread. As a held reader's session never has a waiter when it starts
// to wait, no ring of readers waiting for one another can form.
func (b *Broker) pace(c *conn, s *session) {
	own := c.sess
	if s == own || s.slow {
		return // a client waiting on itself would wait for its own acks
	}
	if own != nil && own.waiters > 0 {
		return
	}
	b.stats.publishersHeld++
	c.startWait(b.lim.SlowConsumerWait)
	for !s.drained() && !s.slow && (s.conn != nil || s.app) && !c.closing && !c.waitOver() {
		s.waiters++
		b.drainedCond.Wait()
		s.waiters--
	}
	c.waitTimer.Stop()
	if c.waitOver() && !s.drained() && !s.slow {
		b.markSlow()
	}
}

// markSlow marks slow every subscriber still congested when a publisher
// has waited SlowConsumerWait. They have all failed to drain during that
// wait, and waiting for each in turn would hold the publisher that long
// once per subscriber: subscribers that stop reading together hold a
// publisher back for SlowConsumerWait in all, however many they are.
func (b *Broker) markSlow() {
	for i := range b.sessions {
		s := &b.sessions[i]
		if !s.used || s.slow || s.drained() || s.conn == nil && !s.app {
			continue
		}
		s.slow = true
		b.stats.slowConsumers++
		if missed, ok := b.due(noticeSlowConsumer); ok {
			b.logSlow(s, missed)
		}
	}
}

// logSlow is markSlow's log line, kept out of the routing path's frames as
// logDrop is.
//
//go:noinline
func (b *Broker) logSlow(s *session, missed uint64) {
	b.logf("broker: subscriber%s is slow: its queue stayed %d of %d full for %v; no longer waited for, and it loses messages once its queue is full%s",
		s.describe(), s.qLen, s.parts.queueCap, b.lim.SlowConsumerWait, alsoMissed(missed))
}
