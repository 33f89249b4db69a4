package broker

// Offline persistent sessions keep their subscriptions and queue QoS 1 and
// 2 messages until their client comes back. They must not be able to take
// what online clients need: together they hold at most MaxOfflineMessages
// deliveries, and with EvictOfflineSessions the one offline longest makes
// room for a new client when the session table is full.

// goOffline keeps session s for its client, whose connection has ended.
func (b *Broker) goOffline(s *session) {
	s.offline, s.offlineSince = true, b.now()
	b.offlineHeld += s.held()
	b.drainedCond.Broadcast() // for waitForSession
}

// resume counts session s as online again.
func (b *Broker) resume(s *session) {
	if s.offline {
		b.offlineHeld -= s.held()
		s.offline = false
	}
}

// endOffline drops offline session s, counting the messages it held as
// lost for why (noticeSessionEvicted or noticeSessionExpired).
//
//go:noinline
func (b *Broker) endOffline(s *session, why notice) {
	lost := s.held()
	b.stats.dropped[DropSessionEnded] += uint64(lost)
	if why == noticeSessionEvicted {
		b.stats.sessionsEvicted++
	} else {
		b.stats.sessionsExpired++
	}
	if missed, ok := b.due(why); ok {
		what := "evicted, to make room for a new client,"
		if why == noticeSessionExpired {
			what = "expired"
		}
		b.logf("broker: offline session%s %s with %d messages queued%s", s.describe(), what, lost, alsoMissed(missed))
	}
	b.dropSession(s)
}

// expireSessions ends the offline sessions that have been offline for
// SessionExpiry.
func (b *Broker) expireSessions() {
	if b.lim.SessionExpiry == 0 {
		return
	}
	now := b.now()
	for i := range b.sessions[:b.lim.MaxSessions] {
		s := &b.sessions[i]
		if s.used && s.offline && now-s.offlineSince >= int64(b.lim.SessionExpiry) {
			b.endOffline(s, noticeSessionExpired)
		}
	}
}

// evictOffline ends the session offline longest to free its slot, and
// reports whether there was one.
func (b *Broker) evictOffline() bool {
	if !b.lim.EvictOfflineSessions {
		return false
	}
	var oldest *session
	for i := range b.sessions[:b.lim.MaxSessions] {
		s := &b.sessions[i]
		if s.used && s.offline && (oldest == nil || s.offlineSince < oldest.offlineSince) {
			oldest = s
		}
	}
	if oldest == nil {
		return false
	}
	b.endOffline(oldest, noticeSessionEvicted)
	return true
}
