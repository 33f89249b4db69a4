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
	noticeTroubleFiles
	noticeTroubleMemory
	noticeTroubleAccept
	noticeConnectionEnded
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

// A Trouble is a passing failure a transport meets outside any connection,
// such as package listen failing to accept for want of file descriptors.
// The transport copes (it pauses and retries); ReportTrouble makes it
// heard.
type Trouble uint8

const (
	// TroubleFiles: the process or the system is out of file descriptors
	// (EMFILE, ENFILE); new clients are refused until some close.
	TroubleFiles Trouble = iota
	// TroubleMemory: the system is out of buffers or memory (ENOBUFS,
	// ENOMEM).
	TroubleMemory
	// TroubleAccept: any other failure to accept that may pass, such as a
	// timeout.
	TroubleAccept
)

func (tr Trouble) String() string {
	switch tr {
	case TroubleFiles:
		return "out of file descriptors"
	case TroubleMemory:
		return "out of buffers or memory"
	case TroubleAccept:
		return "cannot accept for now"
	}
	return "unknown trouble"
}

// noticeOfTrouble is the notice of each Trouble.
var noticeOfTrouble = [...]notice{
	TroubleFiles:  noticeTroubleFiles,
	TroubleMemory: noticeTroubleMemory,
	TroubleAccept: noticeTroubleAccept,
}

// ReportTrouble logs, through Config.Logf, a passing failure of a
// transport serving b, with err, the failure itself. Like the broker's
// own notices it is logged when it first happens and then at most once
// per NoticeInterval per Trouble, saying how many went unlogged, so a
// transport may report every failure, however many per second, and the
// log gets a line every few seconds. It allocates only for the lines it
// logs.
func (b *Broker) ReportTrouble(tr Trouble, err error) {
	if int(tr) >= len(noticeOfTrouble) {
		tr = TroubleAccept
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if missed, ok := b.due(noticeOfTrouble[tr]); ok {
		b.logf("broker: %v: %v%s", tr, err, alsoMissed(missed))
	}
}
