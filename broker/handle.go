package broker

import (
	"errors"
	"strconv"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// handle acts on one packet after CONNECT. An error ends the connection.
func (c *conn) handle(p packet.Packet) error {
	b := c.b
	switch p := p.(type) {
	case *packet.Publish:
		return c.publish(p)
	case *packet.Puback:
		b.mu.Lock()
		if s := c.sess; s != nil {
			if f := s.findFlight(p.PacketID); f != nil && f.qos == 1 {
				b.store.unref(f.msg)
				s.releaseFlight(f)
				b.pump(s)
			}
		}
		b.mu.Unlock()
	case *packet.Pubrec:
		b.mu.Lock()
		defer b.mu.Unlock()
		s := c.sess
		if s == nil {
			return nil
		}
		f := s.findFlight(p.PacketID)
		if f == nil || f.qos != 2 {
			return nil
		}
		if f.state == flightWaitAck {
			b.store.unref(f.msg)
			f.msg = -1
			f.state = flightWaitComp
		}
		if f.unsent { // PUBREL goes out now; no need to resend it
			f.unsent = false
			s.unsent--
		}
		if c.waitRoom(ackSize) {
			c.out = appendAck(c.out, packet.PUBREL, p.PacketID)
			c.reply()
		}
	case *packet.Pubrel:
		b.mu.Lock()
		defer b.mu.Unlock()
		if s := c.sess; s != nil {
			s.removeRx(p.PacketID)
		}
		// PUBCOMP even for an unknown identifier: the PUBREL may repeat
		// one whose PUBCOMP was lost (MQTT 3.1.1 section 4.3.3).
		if c.waitRoom(ackSize) {
			c.out = appendAck(c.out, packet.PUBCOMP, p.PacketID)
			c.reply()
		}
	case *packet.Pubcomp:
		b.mu.Lock()
		if s := c.sess; s != nil {
			if f := s.findFlight(p.PacketID); f != nil && f.state == flightWaitComp {
				s.releaseFlight(f)
				b.pump(s)
			}
		}
		b.mu.Unlock()
	case *packet.Subscribe:
		return c.subscribe(p)
	case *packet.Unsubscribe:
		b.mu.Lock()
		defer b.mu.Unlock()
		if s := c.sess; s != nil {
			it := p.Iter()
			for t, ok := it.Next(); ok; t, ok = it.Next() {
				b.subs.remove(s.idx, t)
			}
		}
		// UNSUBACK whether or not anything was subscribed (MQTT-3.10.4-5).
		if c.waitRoom(ackSize) {
			c.out = appendAck(c.out, packet.UNSUBACK, p.PacketID)
			c.reply()
		}
	case *packet.Pingreq:
		b.mu.Lock()
		if c.waitRoom(2) {
			c.out = append(c.out, byte(packet.PINGRESP)<<4, 0)
			c.reply()
		}
		b.mu.Unlock()
	case *packet.Disconnect:
		c.disconnected = true
		return errDisconnect
	case *packet.Connect:
		return because(ErrProtocol, "second CONNECT", nil)
	default:
		return because(ErrProtocol, "a client may not send "+p.Type().String(), nil)
	}
	return nil
}

// errDisconnect ends the reader after DISCONNECT; end turns it into nil.
var errDisconnect = errors.New("broker: DISCONNECT")

// waitRoom waits, with b.mu held, until c's outbox has n free bytes. It
// unlocks while waiting, so a client that does not read its
// acknowledgements is stopped from sending more. It reports false when the
// connection is closing.
func (c *conn) waitRoom(n int) bool {
	for !c.closing && c.room() < n {
		c.kick()
		c.b.mu.Unlock()
		c.sig.wait(sigRoom)
		c.b.mu.Lock()
	}
	return !c.closing
}

func (c *conn) publish(p *packet.Publish) error {
	b := c.b
	if len(p.Topic) > b.lim.MaxTopicLength || len(p.Payload) > b.lim.MaxPayloadSize {
		return because(ErrLimit, "PUBLISH topic of "+strconv.Itoa(len(p.Topic))+" bytes, payload of "+strconv.Itoa(len(p.Payload))+" bytes", nil)
	}
	// Outside the lock: an Authorizer holds up no other connection here.
	// The ACL, which never blocks, needs the session's client identifier
	// and is checked under the lock below.
	allowed := b.authorizerAllows(c, p.Topic, true)
	b.mu.Lock()
	defer b.mu.Unlock()
	for {
		s := c.sess
		if c.closing || s == nil {
			return nil
		}
		wait := b.rateWait(s)
		if wait == 0 {
			break
		}
		b.stats.rateLimited++
		if p.QoS == 0 {
			b.drop(DropRateLimited, s, p.Topic)
			return nil
		}
		c.payOwed()
		// QoS 1 and 2 are never lost to the rate limit: the reader waits,
		// and TCP flow control slows the client down. With a Clock that
		// can sleep (the real one) the reader sleeps, at most one token
		// interval, and notices a close when it wakes: a Timer would
		// allocate per wait under TinyGo (see sleeper).
		if sl, ok := b.clock.(sleeper); ok {
			b.mu.Unlock()
			sl.Sleep(wait)
			b.mu.Lock()
			continue
		}
		if c.rateTimer == nil {
			c.rateTimer = b.clock.AfterFunc(wait, c.rateTick)
		} else {
			c.rateTimer.Reset(wait)
		}
		b.mu.Unlock()
		c.sig.wait(sigTick)
		b.mu.Lock()
	}
	s := c.sess
	allowed = allowed && b.aclAllows(c, s.clientID(), p.Topic, true)
	var congested *session
	switch p.QoS {
	case 0:
		congested = b.take(p, allowed)
	case 1:
		congested = b.take(p, allowed)
		if c.waitRoom(ackSize) {
			c.out = appendAck(c.out, packet.PUBACK, p.PacketID)
			c.reply()
		}
	case 2:
		// Method B of MQTT 3.1.1 section 4.3.3: deliver now, then remember
		// the identifier until PUBREL so that a resent PUBLISH is not
		// delivered again.
		if !s.hasRx(p.PacketID) {
			if s.rxFull() {
				return because(ErrLimit, "more than "+strconv.Itoa(int(s.rxLen))+" QoS 2 messages waiting for PUBREL", nil)
			}
			s.addRx(p.PacketID)
			congested = b.take(p, allowed)
		}
		if c.waitRoom(ackSize) {
			c.out = appendAck(c.out, packet.PUBREC, p.PacketID)
			c.reply()
		}
	}
	if congested != nil {
		b.pace(c, congested)
	}
	return nil
}

// rateTick ends the reader's rate limit wait; rateTimer calls it.
func (c *conn) rateTick() { c.sig.raise(sigTick) }

// take routes a PUBLISH from a client, or drops it when Authorize has
// denied it: a denied message is acknowledged like any other (MQTT-3.3.5-2)
// but neither delivered nor retained. It returns what route returns.
func (b *Broker) take(p *packet.Publish, allowed bool) *session {
	if !allowed {
		b.drop(DropDenied, nil, p.Topic)
		return nil
	}
	b.stats.messagesIn++
	return b.route(p.Topic, p.Payload, p.QoS, p.Retain)
}

// rateWait takes a token from the session's bucket (a GCRA) and returns
// 0, or returns how long until a token is due.
func (b *Broker) rateWait(s *session) time.Duration {
	rate := b.lim.PublishRate
	if rate == 0 {
		return 0
	}
	interval := int64(time.Second) / int64(rate)
	tolerance := int64(b.lim.PublishBurst-1) * interval
	now := b.now()
	tat := max(s.rateTAT, now)
	if tat-now > tolerance {
		return time.Duration(tat - now - tolerance)
	}
	s.rateTAT = tat + interval
	return 0
}

// subscribe answers a SUBSCRIBE with one SUBACK code per filter, however
// many it carries, then replays the retained messages of every granted
// filter. The SUBACK always fits in the outbox: Limits sizes OutboxBytes
// for the SUBSCRIBE with the most filters that MaxPacketSize allows.
func (c *conn) subscribe(p *packet.Subscribe) error {
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	nfilters := 0
	it := p.Iter()
	for _, ok := it.Next(); ok; _, ok = it.Next() {
		nfilters++
	}
	n := 2 + nfilters
	if !c.waitRoom(packet.HeaderSize(n) + n) {
		return nil
	}
	s := c.sess
	if s == nil {
		return nil
	}
	c.out = packet.AppendHeader(c.out, packet.SUBACK, 0, n)
	c.out = packet.AppendUint16(c.out, p.PacketID)
	codes := len(c.out)
	it = p.Iter()
	for f, ok := it.Next(); ok; f, ok = it.Next() {
		c.out = append(c.out, b.subscribeCode(c, s, f.Topic, f.QoS))
	}
	// Retained messages follow the SUBACK, for a repeated subscription too
	// (MQTT-3.8.4-3). Replaying appends to the outbox without giving up
	// b.mu, so the codes stay where they were written.
	granted := c.out[codes : codes+nfilters]
	it = p.Iter()
	for i := 0; i < nfilters; i++ {
		f, _ := it.Next()
		if g := granted[i]; g != packet.SubackFailure {
			b.replayRetained(s, f.Topic, packet.QoS(g), -1)
		}
	}
	c.reply()
	return nil
}

// subscribeCode subscribes s, served by c, to filter and returns the
// SUBACK code.
func (b *Broker) subscribeCode(c *conn, s *session, filter []byte, qos packet.QoS) byte {
	if !b.authorized(c, s.clientID(), filter, false) {
		b.stats.subscriptionsDenied++
		return packet.SubackFailure
	}
	if len(filter) > b.lim.MaxTopicLength || b.subs.add(s.idx, filter, qos) < 0 {
		b.stats.subscriptionsRefused++
		return packet.SubackFailure
	}
	return byte(qos)
}
