package firmware

import (
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"sync"
	"time"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/boards/link"
	"github.com/gatomqtt/gatomqtt/broker"
)

// Options are what a board binding gives the core besides its line.
type Options struct {
	Version, BuildID string
	// Platform says what runs the core, for Hello.Platform: "tinygo" on
	// a board, "go twin" on the host.
	Platform string
	// Epoch names this run of the link; a board draws it from its random
	// number generator so that the host sees every reboot. 0 is invalid.
	Epoch uint32
	// Reset restarts the board; nil refuses reset requests (logged).
	Reset func(ResetMode)
	// Streams, when set, stands between each stream the host opens and
	// the broker, which serves what Streams returns. It lets a binding
	// add a transport without the core, and so every board image,
	// linking it: the Go twin serves a stream that opens with a TLS
	// handshake record as MQTT over TLS-PSK (broker/tlspsk), which does
	// not fit a Pico's RAM. Streams runs on the stream's own goroutine,
	// but the broker's connect timeout starts only once it returns, so it
	// must not wait for the host: a wrapper that needs the stream's
	// first bytes reads them on its first Read.
	Streams func(s io.ReadWriteCloser) io.ReadWriteCloser
	// PSKIdentity is the identity of the pre-shared key with which
	// Streams serves TLS-PSK, announced in Hello.PSKIdentity so that the
	// host knows the firmware offers it; "" when it does not. The key
	// never crosses the link: the host has it from where the binding got
	// it.
	PSKIdentity string
}

// Core is a running firmware: the broker, the link and their loops.
type Core struct {
	Broker  *broker.Broker
	Link    *link.Link
	profile *boards.Profile
	opts    Options
	start   time.Time

	mu          sync.Mutex // one control message at a time on the stream
	out         []byte
	logsDropped uint64
	// The hello being sent, guarded by mu, and the stats being sent,
	// which only the control goroutine touches: held here, not in a
	// variable that a closure captures, which TinyGo would allocate on
	// every request (and the memory suite would see the heap grow between
	// two stats).
	hello Hello
	stats Stats

	// The runtime's and the broker's figures that Stats reads, guarded by
	// gather: large structures, kept here rather than on the control
	// goroutine's stack, which TinyGo sizes like every other to the
	// broker's deepest path (see boards/firmware/stackprobe).
	gather sync.Mutex
	ms     runtime.MemStats
	bs     broker.Stats
}

// Start builds the broker and the link over line with profile's limits
// and serves every stream the host opens. It returns at once; the core
// runs until the link fails.
func Start(line io.ReadWriter, profile *boards.Profile, opts Options) (*Core, error) {
	b, err := broker.New(broker.Config{Limits: profile.Limits})
	if err != nil {
		return nil, err
	}
	cfg := profile.Link
	cfg.Epoch = opts.Epoch
	l, err := link.New(line, cfg)
	if err != nil {
		b.Close()
		return nil, err
	}
	c := &Core{Broker: b, Link: l, profile: profile, opts: opts, start: time.Now(),
		out: make([]byte, 0, 3+maxMessage)}
	go c.acceptLoop()
	go c.controlLoop()
	return c, nil
}

// acceptLoop serves each stream the host opens as one MQTT connection.
func (c *Core) acceptLoop() {
	for {
		s, err := c.Link.Accept()
		if err != nil {
			c.Broker.Close()
			return
		}
		if c.opts.Streams != nil {
			go c.Broker.ServeConn(c.opts.Streams(s))
			continue
		}
		// Served from events: no goroutine waits on a stream whose
		// client is silent.
		c.Broker.ServeEvents(newEventStream(s), "")
	}
}

// An eventStream is a link stream served by broker.ServeEvents.
type eventStream struct {
	*link.Stream
	ec    broker.EventConn
	ready func() // fire, made once
}

func newEventStream(s *link.Stream) *eventStream {
	e := &eventStream{Stream: s}
	e.ready = e.fire
	return e
}

func (e *eventStream) Read(p []byte) (int, error) {
	n, err := e.Stream.TryRead(p)
	if err == link.ErrWouldBlock {
		err = broker.ErrWouldBlock
	}
	return n, err
}

func (e *eventStream) WaitRead(ec broker.EventConn) error {
	e.ec = ec
	e.Stream.NotifyReadable(e.ready)
	return nil
}

func (e *eventStream) fire() { e.ec.Readable() }

func (e *eventStream) Ended(error) {}

// controlLoop answers the host's control requests.
func (c *Core) controlLoop() {
	m := messageReader{r: c.Link.Control()}
	for {
		t, body, err := m.next()
		switch {
		case errors.Is(err, link.ErrPeerReset):
			m = messageReader{r: c.Link.Control()}
			continue
		case err != nil:
			return
		}
		switch t {
		case msgHelloRequest:
			c.sendHello()
		case msgStatsRequest:
			c.sendStats()
		case msgReset:
			mode := Reboot
			if len(body) == 1 {
				mode = ResetMode(body[0])
			}
			if c.opts.Reset == nil {
				c.Log("reset refused: this board has no reset hook")
				continue
			}
			c.opts.Reset(mode)
		}
	}
}

// begin starts a control message of type t in c.out; c.mu is held.
func (c *Core) begin(t msgType) { c.out = append(c.out[:0], byte(t), 0, 0) }

// flush writes the message in c.out, its body's length filled in; c.mu
// is held.
func (c *Core) flush() error {
	binary.LittleEndian.PutUint16(c.out[1:], uint16(len(c.out)-3))
	_, err := c.Link.Control().Write(c.out)
	return err
}

// Hello returns what the firmware says about itself.
func (c *Core) Hello() Hello {
	lim := c.Broker.Limits()
	return Hello{
		Board: c.profile.Name, Chip: c.profile.Chip, Version: c.opts.Version, BuildID: c.opts.BuildID,
		Platform: c.opts.Platform, PSKIdentity: c.opts.PSKIdentity,
		MaxSessions: u(lim.MaxSessions), MaxConnections: u(lim.MaxConnections),
		MaxSubscriptions: u(lim.MaxSubscriptions), MaxInflight: u(lim.MaxInflight),
		MaxQueued: u(lim.MaxQueued), MaxMessages: u(lim.MaxMessages), MaxRetained: u(lim.MaxRetained),
		MaxTopicLength: u(lim.MaxTopicLength), MaxPayloadSize: u(lim.MaxPayloadSize),
		MaxPacketSize: u(lim.MaxPacketSize),
		StateBytes:    u(c.stateBytes()), LinkBytes: u(c.profile.Link.StateBytes()),
	}
}

// stateBytes is the broker's Stats.StateBytes, read through c.bs.
func (c *Core) stateBytes() int {
	c.gather.Lock()
	defer c.gather.Unlock()
	c.Broker.ReadStats(&c.bs)
	return c.bs.StateBytes
}

func (c *Core) sendHello() {
	h := c.Hello()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hello = h
	c.begin(msgHello)
	c.out, _ = c.hello.AppendBinary(c.out)
	c.flush()
}

// Stats measures the firmware now: the runtime's heap figures, the broker's
// and the link's counters.
func (c *Core) Stats() Stats {
	var s Stats
	c.readStats(&s)
	return s
}

// readStats fills s in place, field by field: the structures it reads
// from live in c rather than on the control goroutine's stack, which
// TinyGo sizes like every other to the broker's deepest path (see
// boards/firmware/stackprobe), and a composite literal of this size would
// be built in a temporary and copied.
func (c *Core) readStats(s *Stats) {
	c.mu.Lock()
	dropped := c.logsDropped
	c.mu.Unlock()
	c.gather.Lock()
	defer c.gather.Unlock()
	ms, bs := &c.ms, &c.bs
	// Collect first, so that HeapInUse is the live heap: two requests can
	// then be compared without the garbage a collection was about to
	// take counting as growth.
	runtime.GC()
	runtime.ReadMemStats(ms)
	c.Broker.ReadStats(bs)
	ls := c.Link.Stats()
	*s = Stats{}
	s.UptimeMillis = uint64(time.Since(c.start).Milliseconds())
	s.HeapInUse, s.HeapSys, s.Mallocs, s.Frees = ms.HeapInuse, ms.HeapSys, ms.Mallocs, ms.Frees
	s.TotalAlloc = ms.TotalAlloc
	s.StateBytes, s.LinkBytes = u(bs.StateBytes), u(c.profile.Link.StateBytes())
	s.Connections, s.Sessions, s.Retained = u(bs.Connections), u(bs.Sessions), u(bs.Retained)
	s.MessagesIn, s.MessagesOut, s.Dropped = bs.MessagesIn, bs.MessagesOut, bs.Dropped
	s.ConnectionsRefused, s.ProtocolErrors = bs.ConnectionsRefused, bs.ProtocolErrors
	s.LinkRetransmits, s.LinkBadCRC, s.LinkMalformed = ls.Retransmits, ls.BadCRC, ls.Malformed
	s.LinkPeerResets, s.LogsDropped = ls.PeerResets, dropped
}

// sendStats answers a stats request. Only the control goroutine uses
// c.stats, so the figures are read into it before c.mu is taken for the
// message (readStats takes c.mu too).
func (c *Core) sendStats() {
	c.readStats(&c.stats)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.begin(msgStats)
	c.out, _ = c.stats.AppendBinary(c.out)
	c.flush()
}

// Log sends one line to the host. While the link is down the line is
// dropped and counted (Stats.LogsDropped): a board must not stop because
// nobody listens.
func (c *Core) Log(line string) {
	if !c.Link.Up() {
		c.mu.Lock()
		c.logsDropped++
		c.mu.Unlock()
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.begin(msgLog)
	c.out = append(c.out, line[:min(len(line), maxMessage)]...)
	c.flush()
}

func u(n int) uint64 { return uint64(n) }
