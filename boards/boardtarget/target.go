package boardtarget

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/boards/firmware"
	"github.com/gatomqtt/gatomqtt/fixtures/peers"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

// A lineSource brings up a board's serial line: it starts what the target
// owns (a twin, an emulator) or opens a port, and returns the line, a name
// for it in errors, and a stop function that reports whether what it
// started ended cleanly.
type lineSource func(ctx context.Context) (line io.ReadWriteCloser, what string, stop func() error, err error)

// boardTarget is a board reached over a serial line.
type boardTarget struct {
	name    string
	profile *boards.Profile
	open    lineSource
	hello   time.Duration // how long to wait for the firmware's hello
	// exclusive is true for a port the target does not own (a board on a
	// serial port): one process holds it.
	exclusive bool
	// clock reads the board's own time where it differs from the host's
	// (an emulator); nil means the host's.
	clock func() (time.Duration, error)
	// pskKey is the firmware's TLS-PSK key when the target knows it: one
	// it drew for the twin it starts, or psk_key= for a board. The
	// firmware's hello names the identity but never sends the key, so
	// without one the target declares no TLS-PSK endpoint. pskIdentity,
	// when set, is the identity the hello must name.
	pskIdentity string
	pskKey      []byte
	// flashed is the image the target writes before it attaches, whose
	// build id the hello must report; nil for none.
	flashed *flashing

	mu      sync.Mutex
	b       *bridge
	psk     *target.PSKEndpoint
	stop    func() error
	started time.Time
	caps    target.Capabilities
	hellos  firmware.Hello
}

func newBoardTarget(name string, p *boards.Profile, o *target.Options, open lineSource) (*boardTarget, error) {
	t := &boardTarget{name: name, profile: p, open: open, hello: o.Duration("hellotimeout")}
	if t.hello == 0 {
		t.hello = 10 * time.Second
	}
	self, err := peers.Lookup(peers.GatoMQTT)
	if err != nil {
		return nil, err
	}
	// Until the hello says otherwise, the target declares the profile's
	// limits, so that a mistyped target fails before anything starts.
	t.caps = capabilities(p, helloOf(p), self)
	return t, nil
}

// heapSlack is what a TinyGo board's heap may hold at rest beyond the
// broker, the link and the goroutine stacks.
const heapSlack = 16 << 10

// helloOf is the hello a firmware built for p would send.
func helloOf(p *boards.Profile) firmware.Hello {
	l := p.Limits
	u := func(n int) uint64 { return uint64(n) }
	return firmware.Hello{Board: p.Name, Chip: p.Chip,
		MaxSessions: u(l.MaxSessions), MaxConnections: u(l.MaxConnections), MaxSubscriptions: u(l.MaxSubscriptions),
		MaxInflight: u(l.MaxInflight), MaxQueued: u(l.MaxQueued), MaxMessages: u(l.MaxMessages),
		MaxRetained: u(l.MaxRetained), MaxTopicLength: u(l.MaxTopicLength), MaxPayloadSize: u(l.MaxPayloadSize),
		MaxPacketSize: u(l.MaxPacketSize)}
}

// capabilities declares what the firmware of hello offers: the limits it
// runs with, the profile's publish rate, and no users or denied topics,
// which the firmware does not have yet. What its TLS-PSK endpoint
// negotiates is added by Start, once it knows there is one.
func capabilities(p *boards.Profile, h firmware.Hello, self peers.Peer) target.Capabilities {
	c := target.Capabilities{
		Limits: target.Limits{
			Sessions:      int(h.MaxSessions),
			Subscriptions: int(h.MaxSubscriptions),
			Inflight:      int(h.MaxInflight),
			Queued:        int(h.MaxQueued),
			Retained:      int(h.MaxRetained),
			PacketSize:    int(h.MaxPacketSize),
			TopicLength:   int(h.MaxTopicLength),
			PayloadSize:   int(h.MaxPayloadSize),
			Burst:         target.Unlimited,
		},
		MaxQoS:             2,
		PersistentSessions: true,
		Retain:             true,
		Wills:              true,
		Anonymous:          true,
		MemoryStats:        true,
		ConnectTimeout:     p.Limits.ConnectTimeout,
		Deviations:         self.Deviations,
		Peer:               self.Name,
	}
	// The broker's tables as the profile's limits size them on the host;
	// the firmware's own figure may only be smaller (32-bit words on a
	// board). Zero allocations per routed message after warm-up.
	broker, link, stacks := p.RuntimeBytes()
	c.Memory.StateBytes = uint64(broker)
	if strings.HasPrefix(h.Platform, "tinygo") { // on a board, or on QEMU standing in for one
		// TinyGo keeps the broker's tables, the link's buffers and the
		// goroutine stacks on its heap; the rest of the heap at rest is
		// the runtime's and the USB stack's, bounded by heapSlack.
		c.Memory.HeapAfterBoot = uint64(broker + link + stacks + heapSlack)
	} else {
		// A twin runs on Go's runtime, whose heap grows in 8 KiB spans
		// when its own background work allocates.
		c.Memory.HeapGrowth = 8 << 10
	}
	// Connections beyond the link's streams are closed at once, so they
	// bound sessions as much as the session table does.
	c.Limits.Sessions = min(c.Limits.Sessions, int(h.MaxConnections))
	if l := p.Limits; l.PublishRate > 0 {
		c.Limits.Burst = l.PublishRate
		if l.PublishBurst > 0 {
			c.Limits.Burst = l.PublishBurst
		}
	}
	return c
}

func (t *boardTarget) Name() string { return t.name }

// Exclusive reports whether the target is one device that only one test
// process can hold.
func (t *boardTarget) Exclusive() bool { return t.exclusive }

func (t *boardTarget) Capabilities() target.Capabilities {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.caps
}

func (t *boardTarget) Endpoints() target.Endpoints {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.b == nil {
		return target.Endpoints{}
	}
	return target.Endpoints{MQTT: t.b.addr(), PSK: t.psk}
}

// Start brings the line up, attaches to the firmware and declares what
// its hello says.
func (t *boardTarget) Start(ctx context.Context) error {
	line, what, stop, err := t.open(ctx)
	if err != nil {
		return err
	}
	hctx, cancel := context.WithTimeout(ctx, t.hello)
	defer cancel()
	b, h, err := attach(hctx, line, t.profile, what)
	if err != nil {
		return errors.Join(err, stop())
	}
	if err := t.flashed.check(h, what); err != nil {
		return errors.Join(err, b.close(), stop())
	}
	self, err := peers.Lookup(peers.GatoMQTT)
	if err != nil {
		return errors.Join(err, b.close(), stop())
	}
	psk, err := t.pskEndpoint(b, h, what)
	if err != nil {
		return errors.Join(err, b.close(), stop())
	}
	t.mu.Lock()
	t.b, t.stop, t.hellos, t.started, t.psk = b, stop, h, time.Now(), psk
	t.caps = capabilities(t.profile, h, self)
	if psk != nil {
		// The firmware's server is tlspsk's, configured with everything
		// it implements (cmd/gatomqtt-twin): what this project's broker
		// is declared to negotiate, alerts included. Its record limit,
		// the board's, is no capability: it honours both record size
		// extensions down to what clients ask.
		t.caps.PSK = self.PSK
	}
	t.mu.Unlock()
	return nil
}

// pskEndpoint matches the TLS-PSK the firmware's hello announces with the
// key the target knows: nil when the firmware serves none or the target
// has no key for it, an error when the target has a key the firmware
// cannot be using.
func (t *boardTarget) pskEndpoint(b *bridge, h firmware.Hello, what string) (*target.PSKEndpoint, error) {
	switch {
	case h.PSKIdentity == "" && t.pskKey != nil:
		return nil, fmt.Errorf("%s: the firmware serves no TLS-PSK (its hello names no PSK identity), but the target was given a key for it", what)
	case h.PSKIdentity == "" || t.pskKey == nil:
		return nil, nil
	case t.pskIdentity != "" && h.PSKIdentity != t.pskIdentity:
		return nil, fmt.Errorf("%s: the firmware serves TLS-PSK as identity %q, not %q", what, h.PSKIdentity, t.pskIdentity)
	}
	return &target.PSKEndpoint{Address: b.pskAddr(), Identity: h.PSKIdentity, Key: t.pskKey}, nil
}

// Elapsed is the time that passed for the board since it started: the
// emulator's clock for an emulated board, else the host's.
func (t *boardTarget) Elapsed() (time.Duration, error) {
	if t.clock != nil {
		return t.clock()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return time.Since(t.started), nil
}

// Stop detaches and stops what Start started; a twin or emulator that did
// not exit cleanly is an error.
func (t *boardTarget) Stop() error {
	t.mu.Lock()
	b, stop := t.b, t.stop
	t.b, t.stop, t.psk = nil, nil, nil
	t.mu.Unlock()
	if b == nil {
		return nil
	}
	err := b.close()
	if serr := stop(); serr != nil {
		err = serr
	}
	return err
}

// Stats asks the firmware for its figures.
func (t *boardTarget) Stats() (target.Stats, bool) {
	t.mu.Lock()
	b := t.b
	t.mu.Unlock()
	if b == nil {
		return target.Stats{}, false
	}
	s, err := b.ctl.Stats(5 * time.Second)
	if err != nil {
		return target.Stats{}, false
	}
	return statsOf(s), true
}

// statsOf maps the firmware's figures onto the harness's.
func statsOf(s firmware.Stats) target.Stats {
	i := func(v uint64) int64 { return int64(v) }
	return target.Stats{
		Sessions:    int(s.Sessions),
		Retained:    int(s.Retained),
		HeapInUse:   s.HeapInUse,
		BrokerBytes: s.StateBytes,
		Extra: map[string]int64{
			"connections":         i(s.Connections),
			"connections_refused": i(s.ConnectionsRefused),
			"protocol_errors":     i(s.ProtocolErrors),
			"messages_in":         i(s.MessagesIn),
			"messages_out":        i(s.MessagesOut),
			"dropped":             i(s.Dropped),
			"mallocs":             i(s.Mallocs),
			"frees":               i(s.Frees),
			"total_alloc":         i(s.TotalAlloc),
			"heap_sys":            i(s.HeapSys),
			"link_bytes":          i(s.LinkBytes),
			"link_retransmits":    i(s.LinkRetransmits),
			"link_bad_crc":        i(s.LinkBadCRC),
			"link_malformed":      i(s.LinkMalformed),
			"link_peer_resets":    i(s.LinkPeerResets),
			"uptime_ms":           i(s.UptimeMillis),
		},
	}
}

// profileOf finds the profile of the board a target names.
func profileOf(name string) (*boards.Profile, error) {
	if p, ok := boards.Lookup(name); ok {
		return p, nil
	}
	known := make([]string, len(boards.Profiles))
	for i, p := range boards.Profiles {
		known[i] = p.Name
	}
	return nil, fmt.Errorf("unknown board %q (known: %v)", name, known)
}
