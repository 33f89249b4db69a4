package target

import (
	"context"
	"errors"
	"math"
	"time"
)

// A Target is one MQTT 3.1.1 server under test: the broker in this process,
// a broker at an address, or (later) a board behind a serial line. A target
// is parsed from its name, started once per suite process, queried by specs
// for its endpoints and capabilities, and stopped when the suite ends.
type Target interface {
	// Name is the target string as given, e.g. "inproc:pico" or
	// "tcp://127.0.0.1:1883?peer=mosquitto" (credentials elided).
	Name() string
	// Start brings the target up and returns once it accepts MQTT
	// connections, or with an error saying why it cannot.
	Start(ctx context.Context) error
	// Endpoints reports where to connect. Valid after Start.
	Endpoints() Endpoints
	// Capabilities reports what the target supports and its limits.
	Capabilities() Capabilities
	// Stats reports the target's counters; ok is false when the target
	// cannot measure them (e.g. a broker at an address).
	Stats() (s Stats, ok bool)
	// Stop releases everything Start acquired. It is safe to call on a
	// target that never started.
	Stop() error
}

// Endpoints are the addresses a target serves.
type Endpoints struct {
	// MQTT is the host:port of the plain MQTT listener: MQTT over TCP, or
	// over WebSocket when WebSocket is set.
	MQTT string
	// WebSocket, when set, is the request path of MQTT over WebSocket at
	// MQTT's address (subprotocol mqtt; package broker/mqttws): clients
	// dial MQTTURL instead of TCP.
	WebSocket string
	// PSK is the TLS 1.3 external-PSK listener, nil when the target has none.
	PSK *PSKEndpoint
}

// MQTTURL is where a client connects for plain MQTT: tcp://host:port, or
// ws://host:port/path over WebSocket.
func (e Endpoints) MQTTURL() string {
	if e.WebSocket != "" {
		return "ws://" + e.MQTT + e.WebSocket
	}
	return "tcp://" + e.MQTT
}

// PSKEndpoint is a TLS 1.3 external-PSK listener and the identity and key
// a client must present to it.
type PSKEndpoint struct {
	Address  string
	Identity string
	Key      []byte
}

// Unlimited is the value of a Limits field for a target that declares no
// bound on that resource.
const Unlimited = math.MaxInt32

// Limits are the capacities a target declares. A spec that needs more than
// a limit is skipped (see Require); Unlimited means no declared bound.
type Limits struct {
	Sessions      int // concurrently connected clients (and stored sessions)
	Subscriptions int // topic filters per session
	Inflight      int // unacknowledged outgoing QoS 1/2 messages per session
	Queued        int // messages queued for an offline persistent session
	Retained      int // retained messages held at once
	PacketSize    int // largest packet accepted, in bytes
	TopicLength   int // longest topic name or filter, in bytes
	PayloadSize   int // largest PUBLISH or will payload, in bytes
	// Burst is how many PUBLISH packets a session may send back to back
	// before a rate limit applies (QoS 0 beyond it may be dropped).
	Burst int
}

// UnlimitedLimits declares no bound on anything.
var UnlimitedLimits = Limits{
	Sessions:      Unlimited,
	Subscriptions: Unlimited,
	Inflight:      Unlimited,
	Queued:        Unlimited,
	Retained:      Unlimited,
	PacketSize:    Unlimited,
	TopicLength:   Unlimited,
	PayloadSize:   Unlimited,
	Burst:         Unlimited,
}

// Capabilities say what a target supports. Specs state what they need with
// Needs; Capabilities.Missing names what a target lacks.
type Capabilities struct {
	Limits Limits

	MaxQoS             byte // highest QoS granted and delivered: 0, 1 or 2
	PersistentSessions bool // CleanSession=0 sessions survive a disconnect
	Retain             bool // retained messages are stored and delivered
	Wills              bool // Will messages are published on abnormal close

	// Credentials are a username and password the target accepts; nil when
	// none are known. Clients made by the harness present them.
	Credentials *User
	// RejectsBadPassword is true when the target refuses a known user with a
	// wrong password (CONNACK 4 or 5), so authentication can be checked.
	RejectsBadPassword bool
	// Anonymous is true when the target accepts a CONNECT without username.
	Anonymous bool

	// DeniedTopic is a topic prefix (e.g. "gatodenied") below which the
	// harness's clients may subscribe but may not publish: the target
	// acknowledges their PUBLISH packets there, or closes the connection,
	// and delivers nothing. Empty when the target declares none.
	DeniedTopic string

	// ConnectTimeout is how long the target waits for the first packet of
	// a new connection before closing it; 0 when it declares none.
	ConnectTimeout time.Duration
	// ReplyTimeout, when set, is how long a reply may take on this
	// target, for targets slower than the harness's default bound (an
	// emulated CPU behind a polled UART): the harness then waits that
	// long instead.
	ReplyTimeout time.Duration

	// PSK says what the TLS-PSK endpoint negotiates, when Endpoints has one.
	PSK PSKCapabilities

	// MemoryStats is true when Stats reports memory figures.
	MemoryStats bool
	// Memory are the memory ceilings the target declares for itself.
	Memory MemoryCeilings

	// Deviations are the target's known departures from the standard.
	Deviations Deviations
	// Peer names the implementation behind the target ("gatomqtt",
	// "mosquitto", ...), used in skip messages and reports.
	Peer string
}

// MemoryCeilings bound what a target's Stats may report; a zero field
// declares no ceiling, and the memory specs then only report the figure.
type MemoryCeilings struct {
	// StateBytes bounds Stats.BrokerBytes: the broker's fixed tables, as
	// the limits the target runs with size them.
	StateBytes uint64
	// HeapAfterBoot bounds Stats.HeapInUse before any client connects.
	HeapAfterBoot uint64
	// HeapGrowth bounds how much Stats.HeapInUse may grow over a scenario
	// of routed messages after warm-up: 0 for a heap the broker alone
	// uses, a span or so for a runtime that allocates on its own.
	HeapGrowth uint64
	// AllocsPerMessage bounds the allocations per routed message after
	// warm-up, measured from Stats.Extra["mallocs"] where the target
	// reports it (a process of its own); it is a ceiling of 0 unless
	// Unlimited.
	AllocsPerMessage int
}

// User is a username and password.
type User struct {
	Name     string
	Password string
}

// Stats are a target's counters at one moment. Fields a target cannot
// measure are zero.
type Stats struct {
	Sessions      int // connected clients
	Subscriptions int
	Retained      int
	Inflight      int

	HeapInUse   uint64 // bytes of heap in use, where measurable
	BrokerBytes uint64 // bytes of broker state, where measurable

	// Extra holds target-specific counters by name.
	Extra map[string]int64
}

// ErrUnknownTarget is returned by Parse for a target string no registered
// scheme accepts.
var ErrUnknownTarget = errors.New("harness: unknown target")

// Static is a Target with fixed answers that starts nothing: for tools and
// tests whose decisions only read what a target declares.
type Static struct {
	TargetName string
	Ep         Endpoints
	Caps       Capabilities
}

func (s Static) Name() string                { return s.TargetName }
func (s Static) Start(context.Context) error { return nil }
func (s Static) Endpoints() Endpoints        { return s.Ep }
func (s Static) Capabilities() Capabilities  { return s.Caps }
func (s Static) Stats() (Stats, bool)        { return Stats{}, false }
func (s Static) Stop() error                 { return nil }

// An Exclusive target is one device that only one process can hold at a
// time (a board on a serial port): the suites run against it in one
// process, not with Ginkgo's -p.
type Exclusive interface {
	Target
	Exclusive() bool
}

// A Clock is a target whose time can run apart from the host's (an
// emulated board runs slower than real time while its CPU is busy).
// Elapsed reports how much time has passed for the target since it
// started; specs that time the target's own timers (keep alive, connect
// timeout) measure with it, so a slow machine does not fail them.
type Clock interface {
	Target
	Elapsed() (time.Duration, error)
}
