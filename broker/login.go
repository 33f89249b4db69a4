package broker

import (
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// The login throttle. A source whose logins failed loginFree times is
// answered late, on every further CONNECT with Config.Users set, refused
// or not: loginDelayBase after the next failure, twice as long after each
// one more, at most loginDelayMax. The delay applies to good logins from
// that source too, or the time of the answer would tell a guess that
// succeeded from one that failed; together with MaxPendingPerSource, which
// bounds the CONNECTs of one source waiting at once, it holds a password
// guesser to a few guesses a second per source. A source is forgotten
// after loginForget without a failure, or when the table of loginSlots
// sources needs its slot for a more recent one: loginSlots, or one per
// connection slot when that is fewer, as on the boards.
const (
	loginSlots     = 64
	loginFree      = 3
	loginDelayBase = 500 * time.Millisecond
	loginDelayMax  = 4 * time.Second
	loginForget    = 10 * time.Minute
)

// loginFailures are the sources with recent failed logins, by a hash of
// the source: a table New sizes once, so neither a flood of sources nor a
// long one makes it grow. Guarded by b.mu.
type loginFailures []loginEntry

type loginEntry struct {
	key   uint64 // sourceKey of the source
	last  int64  // when its last login failed, ns since epoch
	fails uint32 // failed logins since it was last forgotten; 0: a free slot
}

// loginSlotsFor is the size of the table of failing sources for l.
func loginSlotsFor(l *Limits) int { return min(loginSlots, l.MaxConnections) }

// sourceKey is the FNV-1a hash of a source. All unknown sources, empty,
// share one key.
func sourceKey(source []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range source {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// find returns the slot of key, or -1 when key has no failure that is
// not forgotten by now.
func (l loginFailures) find(key uint64, now int64) int {
	for i := range l {
		if e := &l[i]; e.fails > 0 && e.key == key && now-e.last < int64(loginForget) {
			return i
		}
	}
	return -1
}

// delay is how long to wait before answering a login from key.
func (l loginFailures) delay(key uint64, now int64) time.Duration {
	i := l.find(key, now)
	if i < 0 || l[i].fails < loginFree {
		return 0
	}
	return min(loginDelayBase<<min(l[i].fails-loginFree, 8), loginDelayMax)
}

// fail records a failed login from key, in a slot that is free, forgotten
// or else the one whose last failure is the oldest.
func (l loginFailures) fail(key uint64, now int64) {
	i := l.find(key, now)
	if i < 0 {
		i = 0
		for j := range l {
			e := &l[j]
			if e.fails == 0 || now-e.last >= int64(loginForget) {
				i = j
				break
			}
			if e.last < l[i].last {
				i = j
			}
		}
		l[i].key, l[i].fails = key, 0
	}
	l[i].fails++
	l[i].last = now
}

// throttleLogin counts, logs and remembers a failed login (code not
// Accepted) of c as name, and waits as long as the login throttle says
// for c's source, without holding b.mu. It reports false when c was closed
// meanwhile.
func (b *Broker) throttleLogin(c *conn, code packet.ConnackCode, name []byte) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	key, now := sourceKey(c.source()), b.now()
	d := b.logins.delay(key, now)
	if code != packet.Accepted {
		b.logins.fail(key, now)
		b.stats.loginsFailed++
		if missed, ok := b.due(noticeLoginFailed); ok {
			b.logf("broker: failed login from %s as %q (CONNACK %d)%s", sourceName(c.source()), string(name), int(code), alsoMissed(missed))
		}
	}
	if d > 0 {
		b.stats.loginsDelayed++
		c.startWait(d)
		for !c.closing && !c.waitOver() {
			b.drainedCond.Wait()
		}
		c.waitTimer.Stop()
	}
	return !c.closing
}
