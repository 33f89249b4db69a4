package broker

import (
	"io"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// connect handles the CONNECT of c and returns the CONNACK code. When it
// accepts, the session is attached to c and CONNACK is in c's outbox.
func (b *Broker) connect(c *conn, p *packet.Connect) packet.ConnackCode {
	lim := &b.lim
	if p.ProtocolLevel != 4 {
		return packet.RefusedProtocolVersion
	}
	user := -1
	if creds := b.acc.Load().creds; len(creds) > 0 {
		code := packet.Accepted
		if !p.UsernameFlag {
			code = packet.RefusedNotAuthorized
		} else if user = authenticate(creds, p.Username, p.Password); user < 0 {
			code = packet.RefusedBadUsernamePassword
		}
		if !b.throttleLogin(c, code, p.Username) {
			return packet.RefusedServerUnavailable
		}
		if code != packet.Accepted {
			return code
		}
	}
	anon := len(p.ClientID) == 0
	if anon && !p.CleanSession || len(p.ClientID) > lim.MaxClientIDLength {
		return packet.RefusedIdentifierRejected
	}
	// 3.1.1 lets no server change the keep alive, so one outside the
	// bounds is refused; 0 (none) counts as longer than any maximum.
	if ka := p.KeepAlive; ka < lim.MinKeepAlive || lim.MaxKeepAlive != 0 && (ka == 0 || ka > lim.MaxKeepAlive) {
		return packet.RefusedServerUnavailable
	}
	if p.WillFlag && (len(p.WillTopic) > lim.MaxTopicLength || len(p.WillMessage) > lim.MaxPayloadSize) {
		return packet.RefusedServerUnavailable
	}
	c.user = int32(user)
	// A will is a PUBLISH the client makes in advance: refuse the
	// connection now rather than drop the will unseen later.
	if p.WillFlag && !b.authorized(c, p.ClientID, p.WillTopic, true) {
		return packet.RefusedNotAuthorized
	}

	var old io.Closer
	b.mu.Lock()
	defer func() {
		b.mu.Unlock()
		if old != nil {
			old.Close()
		}
	}()
	if b.closed || c.closing {
		return packet.RefusedServerUnavailable
	}
	b.expireSessions()
	var s *session
	if !anon {
		s = b.findSession(p.ClientID)
	}
	if s != nil && s.conn != nil {
		// A client that reconnects at once may have sent its last packets
		// (acknowledgements, DISCONNECT) on the old connection just before;
		// give that connection a moment to read them and end by itself.
		b.waitForEnd(c, s.conn, s)
		if b.closed || c.closing {
			return packet.RefusedServerUnavailable
		}
		s = b.findSession(p.ClientID)
	}
	if s == nil && len(b.freeSess) == 0 && !b.evictOffline() {
		b.waitForSession(c)
		if b.closed || c.closing {
			return packet.RefusedServerUnavailable
		}
		if len(b.freeSess) == 0 && !b.evictOffline() {
			b.refuseForSessions(p.ClientID)
			return packet.RefusedServerUnavailable
		}
	}
	if s != nil && s.conn != nil {
		// Takeover (MQTT-3.1.4-2): the old connection ends as if it had
		// failed, so its will goes out.
		oc := s.conn
		oc.sess = nil
		s.conn = nil
		old = oc.markClosing(ErrTakenOver)
		b.publishWill(s)
	}
	// A clean session is never resumed (MQTT-3.1.2-6), even when its
	// connection is still being taken over.
	if s != nil && (p.CleanSession || s.clean) {
		b.dropSession(s)
		s = nil
	}
	present := s != nil
	if present {
		b.resume(s)
	}
	if s == nil {
		s = b.session(int(b.freeSess[len(b.freeSess)-1]))
		b.freeSess = b.freeSess[:len(b.freeSess)-1]
		b.nsess++
		s.reset()
		s.used = true
		s.anon = anon
		s.setClientID(p.ClientID)
		if !anon {
			b.ids.add(s)
		}
	}
	s.clean = p.CleanSession
	s.willFlag = p.WillFlag
	if p.WillFlag {
		s.setWill(p.WillTopic, p.WillMessage)
		s.willQoS, s.willRetain = p.WillQoS, p.WillRetain
	}
	s.conn = c
	s.user = c.user
	c.sess = s
	c.connected = true
	b.pend.remove(b, c)
	c.keepAlive = time.Duration(p.KeepAlive) * 1500 * time.Millisecond
	if c.keepAlive > 0 {
		c.setDog(c.keepAlive)
	} else {
		c.stopDog()
	}
	sp := byte(0)
	if present {
		sp = 1
		s.markUnsent()
	}
	c.room() // an empty outbox: the CONNACK is the first packet out
	c.out = append(c.out, byte(packet.CONNACK)<<4, 2, sp, byte(packet.Accepted))
	b.pump(s)
	c.reply()
	return packet.Accepted
}

// findSession returns the resumable session of a client identifier.
func (b *Broker) findSession(id []byte) *session { return b.ids.find(b, id) }

// waitForSession waits, with b.mu held, for at most takeoverGrace until a
// session is free or offline: a client that connects right after another
// left may otherwise find the table held by a session whose connection
// has ended but whose reader has not yet noticed, and a board's table of
// five sessions is full at once.
func (b *Broker) waitForSession(c *conn) {
	c.startWait(takeoverGrace)
	for len(b.freeSess) == 0 && !b.anyOffline() && !b.closed && !c.closing && !c.waitOver() {
		b.drainedCond.Wait()
	}
	c.waitTimer.Stop()
}

// anyOffline reports whether an offline session could make room.
func (b *Broker) anyOffline() bool {
	if !b.lim.EvictOfflineSessions {
		return false
	}
	for i := range b.sessions[:b.lim.MaxSessions] {
		if s := &b.sessions[i]; s.used && s.offline {
			return true
		}
	}
	return false
}

// takeoverGrace bounds how long a new connection waits for the old
// connection of its session to end by itself before taking over.
const takeoverGrace = 100 * time.Millisecond

// waitForEnd waits, with b.mu held, until old no longer serves session s,
// for at most takeoverGrace.
func (b *Broker) waitForEnd(c, old *conn, s *session) {
	c.startWait(takeoverGrace)
	for old.sess == s && !c.closing && !c.waitOver() {
		b.drainedCond.Wait()
	}
	c.waitTimer.Stop()
}

// refuseForSessions counts and logs a CONNACK 3 for want of a session; in
// a function of its own, as logDrop, to keep connect's frame small.
//
//go:noinline
func (b *Broker) refuseForSessions(id []byte) {
	b.stats.sessionsRefused++
	if missed, ok := b.due(noticeSessionCap); ok {
		b.logf("broker: refused client %q with CONNACK 3: all %d sessions are held by connected clients%s", id, b.lim.MaxSessions, alsoMissed(missed))
	}
}
