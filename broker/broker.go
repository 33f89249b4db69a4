package broker

import (
	"crypto/sha256"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures a Broker.
type Config struct {
	// Limits fixes every capacity; the zero value means HostLimits.
	Limits Limits
	// Users may connect with their name and password. When empty, any
	// client may connect, with or without credentials.
	Users []User
	// Authorize, when set, decides which topics each client may publish
	// to and subscribe to (see Authorizer; ACL.Authorize is one). A
	// PUBLISH it denies is acknowledged as its QoS requires but neither
	// delivered nor retained (counted as DropDenied); a SUBSCRIBE filter
	// it denies gets the SUBACK failure code 0x80; a will topic it denies
	// refuses the CONNECT with CONNACK 5. When nil, every client may do
	// everything. The in-process client is not subject to it.
	Authorize Authorizer
	// ACL, when not empty, is checked as Authorize is, also for a will
	// topic and with the same outcomes, with the client identifier known
	// for patterns; and again as each message is delivered to a network
	// session, so that a Deny inside a granted filter, such as a topic
	// denied below a subscription to "#", is not delivered (counted as
	// DropReadDenied). New copies it into tables it sizes once, like
	// every other; it refuses an ACL with an invalid filter, one longer
	// than MaxTopicLength, a user not in Users, or a pattern with a user.
	// With both Authorize and ACL set, a client needs both to allow.
	ACL ACL
	// Clock is the source of time; nil means the real time.
	Clock Clock
	// Logf, when set, receives the notices of connections that end
	// abnormally and of what the broker drops or refuses, each cause at
	// most once per NoticeInterval (see "What the broker says").
	// It is called with the broker's lock held, so it must not block for
	// long nor call the broker.
	Logf func(format string, args ...any)
}

// A Broker routes MQTT 3.1.1 messages between the connections it serves
// and its in-process client. Its methods are safe for concurrent use.
type Broker struct {
	mu     sync.Mutex
	lim    Limits
	clock  Clock
	epoch  time.Time
	logf   func(format string, args ...any)
	authz  Authorizer
	closed bool

	// acc is who may log in and what they may do; Reload replaces it,
	// and code that runs without mu (CONNECT, the Authorizer) loads it.
	// acl is acc's ACL for code under mu, which Reload sets with acc.
	acc       atomic.Pointer[access]
	acc0      access // New's, in the Broker so as to take no allocation
	acl       ACL    // nil when empty
	reloading sync.Mutex

	mapped   [][]byte  // the tables outside the Go heap, see mapTable
	sessions []session // MaxSessions network sessions, then the in-process client's
	freeSess []int32
	ids      idIndex // the network sessions by client identifier
	nsess    int
	// offlineHeld counts the deliveries held for offline sessions, which
	// Limits.MaxOfflineMessages bounds.
	offlineHeld int

	conns    []conn
	freeConn []int32
	slots    slotTables
	// What connections borrow while bytes wait in it (see readerPool and
	// bufferPool): a reader, with its read buffer, and two outboxes per
	// connection slot.
	readers  readerPool
	outboxes bufferPool
	workers  workers
	nconn    int
	serving  sync.WaitGroup
	admit    admission // streams waiting for a slot being freed
	pend     pendingList
	dog      watchdog
	nclosing int // streams closing, whose slots are on their way
	logins   loginFailures

	subs     subIndex
	store    store
	retained retainedStore

	// Routing scratch: the sessions matched by a topic and, per session,
	// the highest granted QoS + 1 (0: not matched).
	marks   []uint8
	matched []int32

	app appClient

	// Publishers held back by a congested subscriber wait on drainedCond.
	drainedCond sync.Cond

	stats counters
	// Bytes of the packets read from and written to the streams,
	// counted without mu by the readers and writers.
	bytesIn, bytesOut atomic.Uint64
	notices           [numNotices]noticeState
	stateBytes        int // the heap New took, see Stats.StateBytes
}

// New returns a Broker with every table sized for cfg.Limits.
//
// It is kept out of line: TinyGo would otherwise inline it into a board's
// main, whose goroutine has a stack of the same fixed size as every
// other, and New's temporaries would stay in that frame while the board
// runs.
//
//go:noinline
func New(cfg Config) (*Broker, error) {
	lim := cfg.Limits
	if lim == (Limits{}) {
		lim = HostLimits
	}
	err := lim.normalize()
	if err != nil {
		return nil, err
	}
	nsess := lim.MaxSessions + 1
	nsubs := nsess * lim.MaxSubscriptions
	nodes := treeNodes(nsubs, lim.SubscriptionNodes)
	nameBytes := 0
	for _, u := range cfg.Users {
		nameBytes += len(u.Name)
	}

	// t.carve allocates every byte buffer and int32 list counted here at
	// once; they are taken piece by piece below, and t.done checks the
	// count.
	var t tables
	b := &makeTable[Broker](&t.total, 1)[0]
	t.carve(
		nsess*(lim.MaxTopicLength+lim.MaxPayloadSize+1)+
			arenaBytes(nsess, lim.MaxClientIDLength)+arenaStates(nsess, lim.MaxClientIDLength)+
			lim.MaxConnections*(lim.MaxPacketSize+2*lim.OutboxBytes+maxSource)+
			subIndexBytes(nsubs, lim.MaxTopicLength)+
			(lim.MaxMessages+lim.MaxRetained)*(lim.MaxTopicLength+lim.MaxPayloadSize)+
			lim.MaxTopicLength+ // the in-process client's topic
			nameBytes,
		lim.MaxSessions+2*lim.MaxConnections+subIndexInts(nsess, nodes, lim.MaxTopicLevels, lim.MaxTopicLength)+lim.MaxMessages+nsess+
			idIndexSlots(lim.MaxSessions)+arenaOrders(lim.MaxClientIDLength))

	b.lim, b.clock, b.logf, b.authz = lim, cfg.Clock, cfg.Logf, cfg.Authorize
	acc := &b.acc0
	if acc.acl, err = copyACL(cfg.ACL, cfg.Users, lim.MaxTopicLength, &t.total); err != nil {
		return nil, err
	}
	b.acl = acc.acl
	if b.clock == nil {
		b.clock = realClock{}
	}
	b.epoch = b.clock.Now()
	b.drainedCond.L = &b.mu

	b.sessions = makeTable[session](&t.total, nsess)
	st := &b.slots
	st.clientIDs.init(t.takeAll(arenaBytes(nsess, lim.MaxClientIDLength)), t.takeAll(arenaStates(nsess, lim.MaxClientIDLength)),
		t.takeInts(arenaOrders(lim.MaxClientIDLength)))
	st.wills = t.takeAll(nsess * (lim.MaxTopicLength + lim.MaxPayloadSize))
	st.flights = mapTable[flight](&t, nsess*lim.MaxInflight)
	st.queue = mapTable[queued](&t, nsess*lim.MaxQueued)
	st.rx = mapTable[uint16](&t, nsess*lim.MaxInflight)
	st.topicCap, st.payloadCap = lim.MaxTopicLength, lim.MaxPayloadSize
	st.inflightCap, st.queueCap = lim.MaxInflight, lim.MaxQueued
	b.ids.init(t.takeInts(idIndexSlots(lim.MaxSessions)))
	b.freeSess = t.takeInts(lim.MaxSessions)[:0]
	for i := lim.MaxSessions - 1; i >= 0; i-- {
		b.freeSess = append(b.freeSess, int32(i))
	}
	app := b.session(lim.MaxSessions)
	app.used, app.app = true, true
	b.marks = t.take(nsess)[:nsess]
	b.matched = t.takeInts(nsess)[:0]

	b.conns = makeTable[conn](&t.total, lim.MaxConnections)
	b.pend = pendingList{head: -1, tail: -1}
	st.sources = t.takeAll(lim.MaxConnections * maxSource)
	// One table of slices for the outboxes' list and the users' names.
	lists := makeTable[[]byte](&t.total, 2*lim.MaxConnections+len(cfg.Users))
	b.outboxes.init(t.takeAll(2*lim.MaxConnections*lim.OutboxBytes), lim.OutboxBytes, lists[:2*lim.MaxConnections])
	b.readers = readerPool{
		readers:   makeTable[reader](&t.total, lim.MaxConnections),
		bufs:      t.takeAll(lim.MaxConnections * lim.MaxPacketSize),
		size:      lim.MaxPacketSize,
		maxPacket: lim.MaxPacketSize,
		free:      makeTable[*reader](&t.total, lim.MaxConnections)[:0],
	}
	b.workers.maxIdle = min(lim.MaxConnections, maxIdleWorkers)
	b.dog.heap = t.takeInts(lim.MaxConnections)[:0]
	b.freeConn = t.takeInts(lim.MaxConnections)[:0]
	for i := lim.MaxConnections - 1; i >= 0; i-- {
		b.freeConn = append(b.freeConn, int32(i))
	}

	b.subs.init(mapTable[subEntry](&t, nsubs), lim.MaxSubscriptions, lim.MaxTopicLength,
		lim.MaxTopicLevels, mapTable[subNode](&t, nodes), &t)
	b.store.init(makeTable[message](&t.total, lim.MaxMessages), lim.MaxTopicLength, lim.MaxPayloadSize, &t)
	b.retained.init(makeTable[retainedMsg](&t.total, lim.MaxRetained), lim.MaxTopicLength, lim.MaxPayloadSize, &t)
	b.app.init(b, makeTable[Handler](&t.total, 2*lim.MaxSubscriptions), &t)
	b.logins = makeTable[loginEntry](&t.total, loginSlotsFor(&lim))

	acc.creds = makeTable[credential](&t.total, len(cfg.Users))
	acc.names = lists[2*lim.MaxConnections:]
	// A password is digested in an outbox not lent yet.
	scratch := b.outboxes.get()
	for i, u := range cfg.Users {
		acc.names[i] = append(t.take(len(u.Name)), u.Name...)
		acc.creds[i] = credential{sha256.Sum256(acc.names[i]), digest(u.Password, scratch[:cap(scratch)]), 1}
	}
	b.outboxes.put(scratch)
	b.acc.Store(acc)
	t.done()
	b.mapped = t.mapped
	t.release(b)
	b.stateBytes = t.total
	return b, nil
}

// Limits reports the limits the broker was built with, defaults filled in.
func (b *Broker) Limits() Limits { return b.lim }

// Close closes every connection and waits for their ServeConn calls to
// return. Wills of the closed connections are published (to the
// in-process client and retained store, as every other connection is
// closing too). Close must not be called from a Handler.
func (b *Broker) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	var toClose []io.Closer
	for i := range b.conns {
		c := &b.conns[i]
		if c.active && (!c.closing || c.flushing) {
			c.flushing = false // not worth waiting for now
			toClose = append(toClose, c.markClosing(ErrClosed))
		}
	}
	b.mu.Unlock()
	for _, rw := range toClose {
		rw.Close()
	}
	b.serving.Wait()
	b.workers.stop()
	b.app.stop()
	return nil
}

// Stats reports the broker's counters.
func (b *Broker) Stats() (st Stats) {
	b.ReadStats(&st)
	return st
}

// ReadStats fills st with the broker's counters, as Stats returns them.
// It writes in place, field by field, so that a board can keep its Stats
// off its goroutine stacks: TinyGo would build a literal of this size in
// a temporary and copy it, and the stacks are sized to the broker's
// deepest path.
func (b *Broker) ReadStats(st *Stats) {
	*st = Stats{}
	b.mu.Lock()
	st.Connections = b.nconn
	st.ConnectionsTotal = b.stats.connectionsTotal
	st.ConnectionsRefused = b.stats.connectionsRefused
	st.PendingEvicted = b.stats.pendingEvicted
	st.LoginsFailed = b.stats.loginsFailed
	st.LoginsDelayed = b.stats.loginsDelayed
	st.ProtocolErrors = b.stats.protocolErrors
	st.Sessions = b.nsess
	st.SessionsEvicted = b.stats.sessionsEvicted
	st.SessionsExpired = b.stats.sessionsExpired
	st.SessionsRefused = b.stats.sessionsRefused
	st.OfflineMessages = b.offlineHeld
	st.MessagesIn = b.stats.messagesIn
	st.MessagesOut = b.stats.messagesOut
	st.Wills = b.stats.wills
	st.DroppedBy = b.stats.dropped
	st.RateLimited = b.stats.rateLimited
	st.SubscriptionsDenied = b.stats.subscriptionsDenied
	st.SubscriptionsRefused = b.stats.subscriptionsRefused
	st.PublishersHeld = b.stats.publishersHeld
	st.SlowConsumers = b.stats.slowConsumers
	st.Retained = b.retained.n
	st.RetainedRefused = b.stats.retainedRefused
	st.StoredMessages = b.store.inUse()
	st.StateBytes = b.stateBytes
	st.ReadersLent = b.readers.lent()
	st.OutboxesLent = b.outboxes.lent()
	b.mu.Unlock()
	st.BytesIn = b.bytesIn.Load()
	st.BytesOut = b.bytesOut.Load()
	for _, n := range st.DroppedBy {
		st.Dropped += n
	}
}

// now is the clock's time as nanoseconds since New.
func (b *Broker) now() int64 { return int64(b.clock.Now().Sub(b.epoch)) }

// drop counts a message on topic not delivered to session s (nil: not
// delivered at all) and logs it as a notice of its reason.
func (b *Broker) drop(r DropReason, s *session, topic []byte) {
	b.stats.dropped[r]++
	if missed, ok := b.due(noticeOfDrop[r]); ok {
		b.logDrop(r, s, topic, missed)
	}
}

// logDrop is drop's log line, in a function of its own so that routing's
// frames do not carry the formatting's: the firmware's goroutine stacks
// are sized to the deepest routing path.
//
//go:noinline
func (b *Broker) logDrop(r DropReason, s *session, topic []byte, missed uint64) {
	b.logf("broker: dropped a message on %q%s: %v%s", topic, s.describe(), r, alsoMissed(missed))
}
