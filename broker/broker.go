package broker

import (
	"io"
	"sync"
	"time"
	"unsafe"

	"github.com/gatomqtt/gatomqtt/broker/packet"
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
	// Clock is the source of time; nil means the real time.
	Clock Clock
	// Logf, when set, receives one line per connection that ends abnormally.
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
	creds  []credential
	names  [][]byte // user names, by index of creds
	authz  Authorizer
	closed bool

	sessions []session // MaxSessions network sessions, then the in-process client's
	freeSess []int32
	nsess    int

	conns    []conn
	freeConn []int32
	nconn    int
	serving  sync.WaitGroup

	subs     subIndex
	store    store
	retained retainedStore

	// Routing scratch: the sessions matched by a topic and, per session,
	// the highest granted QoS + 1 (0: not matched).
	marks   []uint8
	matched []int32

	app appClient

	// Publishers held back by a congested subscriber wait on drainedCond;
	// route leaves in congested the last congested session it delivered to.
	drainedCond sync.Cond
	congested   *session

	stats      counters
	stateBytes int
}

// New returns a Broker with every table sized for cfg.Limits.
func New(cfg Config) (*Broker, error) {
	lim := cfg.Limits
	if lim == (Limits{}) {
		lim = HostLimits
	}
	lim, err := lim.normalized()
	if err != nil {
		return nil, err
	}
	b := &Broker{lim: lim, clock: cfg.Clock, logf: cfg.Logf, creds: newCredentials(cfg.Users), authz: cfg.Authorize}
	b.names = make([][]byte, len(cfg.Users))
	for i, u := range cfg.Users {
		b.names[i] = []byte(u.Name)
	}
	if b.clock == nil {
		b.clock = realClock{}
	}
	b.epoch = b.clock.Now()
	b.drainedCond.L = &b.mu

	nsess := lim.MaxSessions + 1
	b.sessions = make([]session, nsess)
	b.freeSess = make([]int32, 0, lim.MaxSessions)
	ids := make([]byte, nsess*lim.MaxClientIDLength)
	wills := make([]byte, nsess*(lim.MaxTopicLength+lim.MaxPayloadSize))
	flights := make([]flight, nsess*lim.MaxInflight)
	queue := make([]queued, nsess*lim.MaxQueued)
	rx := make([]uint16, nsess*lim.MaxInflight)
	for i := range b.sessions {
		s := &b.sessions[i]
		s.idx = int32(i)
		s.clientID = carve(ids, i, lim.MaxClientIDLength)
		w := carve(wills, i, lim.MaxTopicLength+lim.MaxPayloadSize)
		s.willTopic = w[:0:lim.MaxTopicLength]
		s.willPayload = w[lim.MaxTopicLength:lim.MaxTopicLength]
		s.inflight = flights[i*lim.MaxInflight : (i+1)*lim.MaxInflight]
		s.queue = queue[i*lim.MaxQueued : (i+1)*lim.MaxQueued]
		s.rx = carve16(rx, i, lim.MaxInflight)
	}
	for i := lim.MaxSessions - 1; i >= 0; i-- {
		b.freeSess = append(b.freeSess, int32(i))
	}
	app := &b.sessions[lim.MaxSessions]
	app.used, app.app = true, true

	b.conns = make([]conn, lim.MaxConnections)
	b.freeConn = make([]int32, 0, lim.MaxConnections)
	rbufs := make([]byte, lim.MaxConnections*lim.MaxPacketSize)
	obufs := make([]byte, 2*lim.MaxConnections*lim.OutboxBytes)
	for i := range b.conns {
		c := &b.conns[i]
		c.b, c.idx = b, int32(i)
		c.rbuf = rbufs[i*lim.MaxPacketSize : (i+1)*lim.MaxPacketSize]
		c.out = carve(obufs, 2*i, lim.OutboxBytes)
		c.spare = carve(obufs, 2*i+1, lim.OutboxBytes)
		c.rd = packet.NewReader(nil, c.rbuf)
		// SUBSCRIBE and UNSUBSCRIBE filters are walked in the read buffer,
		// so a packet of any number of them needs no storage.
		c.rd.Decoder = &packet.Decoder{MaxPacketSize: lim.MaxPacketSize, NoFilterSlices: true}
		c.sig.init()
	}
	for i := lim.MaxConnections - 1; i >= 0; i-- {
		b.freeConn = append(b.freeConn, int32(i))
	}

	b.subs.init(nsess, lim.MaxSubscriptions, lim.MaxTopicLength)
	b.store.init(lim.MaxMessages, lim.MaxTopicLength, lim.MaxPayloadSize)
	b.retained.init(lim.MaxRetained, lim.MaxTopicLength, lim.MaxPayloadSize)
	b.marks = make([]uint8, nsess)
	b.matched = make([]int32, 0, nsess)
	b.app.init(b)
	b.stateBytes = stateBytes(&lim, len(b.subs.heads))
	return b, nil
}

// carve returns the i-th n-byte piece of buf, empty with capacity n.
func carve(buf []byte, i, n int) []byte { return buf[i*n : i*n : (i+1)*n] }

func carve16(buf []uint16, i, n int) []uint16 { return buf[i*n : i*n : (i+1)*n] }

// stateBytes adds up the tables New allocates for lim.
func stateBytes(lim *Limits, buckets int) int {
	nsess := lim.MaxSessions + 1
	perSession := int(unsafe.Sizeof(session{})) + lim.MaxClientIDLength +
		lim.MaxTopicLength + lim.MaxPayloadSize +
		lim.MaxInflight*int(unsafe.Sizeof(flight{})+2) +
		lim.MaxQueued*int(unsafe.Sizeof(queued{})) +
		1 + 4 + 4 // routing marks, matched list, free list
	perConn := int(unsafe.Sizeof(conn{})) + lim.MaxPacketSize + 2*lim.OutboxBytes +
		int(unsafe.Sizeof(packet.Reader{})+unsafe.Sizeof(packet.Decoder{})) +
		4 // free list
	perSub := int(unsafe.Sizeof(subEntry{})) + lim.MaxTopicLength
	perMsg := int(unsafe.Sizeof(message{})) + lim.MaxTopicLength + lim.MaxPayloadSize + 4
	perRetained := int(unsafe.Sizeof(retainedMsg{})) + lim.MaxTopicLength + lim.MaxPayloadSize
	return int(unsafe.Sizeof(Broker{})) +
		nsess*perSession +
		lim.MaxConnections*perConn +
		nsess*lim.MaxSubscriptions*perSub + (buckets+1)*4 +
		lim.MaxMessages*perMsg +
		lim.MaxRetained*perRetained +
		lim.MaxSubscriptions*int(unsafe.Sizeof(Handler(nil))) // in-process handlers
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
		if c.active && !c.closing {
			toClose = append(toClose, c.markClosing(ErrClosed))
		}
	}
	b.mu.Unlock()
	for _, rw := range toClose {
		rw.Close()
	}
	b.serving.Wait()
	b.app.stop()
	return nil
}

// Stats reports the broker's counters.
func (b *Broker) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := Stats{
		Connections:         b.nconn,
		ConnectionsTotal:    b.stats.connectionsTotal,
		ConnectionsRefused:  b.stats.connectionsRefused,
		ProtocolErrors:      b.stats.protocolErrors,
		Sessions:            b.nsess,
		MessagesIn:          b.stats.messagesIn,
		MessagesOut:         b.stats.messagesOut,
		Wills:               b.stats.wills,
		DroppedBy:           b.stats.dropped,
		RateLimited:         b.stats.rateLimited,
		SubscriptionsDenied: b.stats.subscriptionsDenied,
		PublishersHeld:      b.stats.publishersHeld,
		SlowConsumers:       b.stats.slowConsumers,
		Retained:            b.retained.n,
		RetainedRefused:     b.stats.retainedRefused,
		StoredMessages:      b.store.inUse(),
		StateBytes:          b.stateBytes,
	}
	for _, n := range st.DroppedBy {
		st.Dropped += n
	}
	return st
}

// now is the clock's time as nanoseconds since New.
func (b *Broker) now() int64 { return int64(b.clock.Now().Sub(b.epoch)) }

func (b *Broker) drop(r DropReason) { b.stats.dropped[r]++ }
