package broker

import (
	"strconv"
	"time"
)

// A notice is a cause of trouble an operator should hear about: a message
// dropped, a client refused, a subscriber marked slow. Each is logged
// through Config.Logf when it first happens and then at most once per
// NoticeInterval, saying how many times it happened in between, so a flood
// of drops or refusals makes a line every few seconds, not one per message.
type notice uint8

const (
	noticeQueueFull notice = iota
	noticeStoreFull
	noticeOfflineQoS0
	noticeRateLimited
	noticeDenied
	noticeReadDenied
	noticeOfflineQueueFull
	noticeSessionEvicted
	noticeSessionExpired
	noticeSlowConsumer
	noticeConnectionCap
	noticePendingCap
	noticeSessionCap
	noticeLoginFailed
	numNotices
)

// noticeOfDrop is the notice of each DropReason.
var noticeOfDrop = [NumDropReasons]notice{
	DropQueueFull:        noticeQueueFull,
	DropStoreFull:        noticeStoreFull,
	DropOffline:          noticeOfflineQoS0,
	DropRateLimited:      noticeRateLimited,
	DropDenied:           noticeDenied,
	DropReadDenied:       noticeReadDenied,
	DropOfflineQueueFull: noticeOfflineQueueFull,
	DropSessionEnded:     noticeSessionEvicted,
}

// NoticeInterval is the least time between two log lines of one cause.
const NoticeInterval = 10 * time.Second

// noticeState is the log state of one cause.
type noticeState struct {
	logged bool
	last   int64  // when it was last logged, ns since the broker's epoch
	since  uint64 // occurrences not logged since then
}

// due records one occurrence of n and reports whether to log it now; if
// so, missed is how many occurrences since the last line went unlogged.
// Callers build the line only when due says so, so that an occurrence
// that is not logged costs no allocation. Called with b.mu held.
func (b *Broker) due(n notice) (missed uint64, ok bool) {
	if b.logf == nil {
		return 0, false
	}
	st := &b.notices[n]
	now := b.now()
	if st.logged && now-st.last < int64(NoticeInterval) {
		st.since++
		return 0, false
	}
	missed = st.since
	st.logged, st.last, st.since = true, now, 0
	return missed, true
}

// alsoMissed is the tail of a notice line that says how many earlier
// occurrences went unlogged: "" or " (and 12 more in the last 10s)".
func alsoMissed(missed uint64) string {
	if missed == 0 {
		return ""
	}
	return " (and " + strconv.FormatUint(missed, 10) + " more since the last report)"
}
