package broker

// A DropReason tells why a message was not delivered to a session.
type DropReason int

const (
	// DropQueueFull: the session's queue (MaxQueued) was full, because the
	// client reads too slowly, acknowledges too slowly or is offline.
	DropQueueFull DropReason = iota
	// DropStoreFull: no free slot in the message store (MaxMessages).
	DropStoreFull
	// DropOffline: a QoS 0 message for an offline persistent session,
	// which the broker does not queue.
	DropOffline
	// DropRateLimited: a QoS 0 PUBLISH beyond its session's rate.
	DropRateLimited
	// DropDenied: a PUBLISH to a topic Config.Authorize does not let its
	// client write to.
	DropDenied
	// DropReadDenied: a delivery to a session that Config.ACL does not
	// let read the topic, though one of its subscriptions matches it.
	DropReadDenied
	// DropOfflineQueueFull: the queue of an offline persistent session
	// (MaxQueued) was full, or offline sessions together held their
	// share of the message store (MaxOfflineMessages).
	DropOfflineQueueFull
	// DropSessionEnded: a message waiting in an offline session that the
	// broker ended to make room for a new one or because it expired
	// (Limits.EvictOfflineSessions, Limits.SessionExpiry).
	DropSessionEnded
	// NumDropReasons is the number of reasons, the length of
	// Stats.DroppedBy.
	NumDropReasons
)

func (r DropReason) String() string {
	switch r {
	case DropQueueFull:
		return "queue full"
	case DropStoreFull:
		return "store full"
	case DropOffline:
		return "offline"
	case DropRateLimited:
		return "rate limited"
	case DropDenied:
		return "denied"
	case DropReadDenied:
		return "read denied"
	case DropOfflineQueueFull:
		return "offline queue full"
	case DropSessionEnded:
		return "session ended"
	}
	return "unknown"
}

// Stats are the broker's counters at one moment.
type Stats struct {
	Connections        int    // byte streams being served
	ConnectionsTotal   uint64 // byte streams served since New
	ConnectionsRefused uint64 // CONNACK with a non-zero code, or no free slot
	ProtocolErrors     uint64 // connections closed for a malformed packet, a violation or a limit
	Sessions           int    // sessions held, online and offline
	// SessionsEvicted counts offline sessions ended to make room for a new
	// one (Limits.EvictOfflineSessions), SessionsExpired those ended for
	// being offline for Limits.SessionExpiry.
	SessionsEvicted, SessionsExpired uint64
	// SessionsRefused counts CONNACK 3 refusals for want of a session.
	SessionsRefused uint64
	// OfflineMessages is the number of deliveries held for offline
	// sessions, which Limits.MaxOfflineMessages bounds.
	OfflineMessages int

	// PendingEvicted counts streams closed without a CONNECT accepted to
	// make room for newer ones (Limits.MaxPending, MaxPendingPerSource).
	PendingEvicted uint64
	// LoginsFailed counts CONNECTs refused with CONNACK 4 or 5 for their
	// credentials; LoginsDelayed the CONNECTs answered late by the login
	// throttle (see the package doc, Authentication).
	LoginsFailed, LoginsDelayed uint64

	// BytesIn and BytesOut count the bytes of the packets read from and
	// written to the streams served, headers included: what the clients
	// sent that the broker decoded, and what it wrote to them.
	BytesIn, BytesOut uint64

	MessagesIn  uint64 // PUBLISH packets accepted from clients and the in-process client
	MessagesOut uint64 // deliveries written to the outbox or handed to a Handler
	Wills       uint64 // will messages published
	Dropped     uint64 // deliveries dropped, all reasons
	DroppedBy   [NumDropReasons]uint64
	RateLimited uint64 // PUBLISH packets that exceeded their session's rate
	// SubscriptionsDenied counts SUBSCRIBE filters refused (SUBACK 0x80)
	// because Config.Authorize denied them.
	SubscriptionsDenied uint64
	// SubscriptionsRefused counts SUBSCRIBE filters refused (SUBACK 0x80)
	// for a limit: the session's MaxSubscriptions slots all taken, a
	// filter longer than MaxTopicLength or of more than MaxTopicLevels
	// levels, or too few free nodes left in the subscription tree (see
	// Limits.MaxTopicLevels).
	SubscriptionsRefused uint64
	// PublishersHeld counts the times a publisher's reader was held back
	// by a congested subscriber; SlowConsumers the times a subscriber held
	// one back for SlowConsumerWait and stopped being waited for.
	PublishersHeld, SlowConsumers uint64

	Retained        int    // retained messages stored
	RetainedRefused uint64 // retained messages not stored because the store was full

	StoredMessages int // message store slots in use
	// ReadersLent is the number of read buffers, each with its packet
	// decoder, lent to connections now, and OutboxesLent that of outbox
	// buffers: a connection served from events holds them only while
	// bytes wait in them, so that an idle one holds none.
	ReadersLent, OutboxesLent int
	// StateBytes is the memory New took: the Broker itself and every table
	// it sizes from the limits and users (connection slots with their
	// read and outbox buffers, decoders and signals; sessions with their
	// rings and will buffers; subscription slots and the subscription
	// tree's nodes; the message store; the retained store; the in-process
	// client's handlers; user names and digests), each counted as the
	// allocator hands it out, rounding included, or in whole pages for
	// the large tables without pointers that a host maps outside the Go
	// heap, committed as they are used. New allocates nothing else that it keeps. The package
	// doc ("Memory in and outside StateBytes") says how exact the figure
	// is and what a memory budget must add to it. It does not change
	// while the broker runs.
	StateBytes int
}

// counters are the running totals, guarded by Broker.mu.
type counters struct {
	connectionsTotal, connectionsRefused, protocolErrors uint64
	messagesIn, messagesOut, wills, rateLimited          uint64
	dropped                                              [NumDropReasons]uint64
	retainedRefused, subscriptionsDenied                 uint64
	subscriptionsRefused                                 uint64
	publishersHeld, slowConsumers                        uint64
	sessionsEvicted, sessionsExpired, sessionsRefused    uint64
	pendingEvicted, loginsFailed, loginsDelayed          uint64
}
