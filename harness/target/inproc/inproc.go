// Package inproc is the harness's default target: this project's broker
// running in the test process, served on loopback TCP ports (plain MQTT and
// TLS-PSK) so that clients see it exactly as any other broker. Its name is
// inproc[:profile][?options], the profile (host, pico, esp32c3) choosing
// the broker's limits.
//
// Being in-process, it offers what no other target can: the broker itself
// (Broker) and the server side of each TLS-PSK connection (PSKServerState,
// PSKServerBufferBytes), for specs that look inside.
//
// Limits: it measures the memory of the whole test process, not of the
// broker alone, and runs the broker as built for the host, so a board
// profile here has the board's limits but not its runtime.
package inproc

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"runtime"
	"sync"
	"time"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/harness/target"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/listen"
	"github.com/gatomqtt/gatomqtt/broker/mqttws"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
	"github.com/gatomqtt/gatomqtt/fixtures"
	"github.com/gatomqtt/gatomqtt/fixtures/peers"
)

func init() { target.Register("inproc", Parse) }

// User is the user the inproc target configures, so that
// authentication specs run against the default target. Clients made by the
// harness present it.
var User = target.User{Name: "gato", Password: "gato-conformance"}

// ConnectTimeout replaces the profiles' connect timeout in the inproc
// target: short enough for a spec to wait for the close of a connection
// that never sends CONNECT, long enough for any client of a loaded run.
var ConnectTimeout = 2 * time.Second

// inprocTarget is the project's broker in this process, served on a
// loopback TCP port so that clients see it exactly as any other broker.
type inprocTarget struct {
	name   string
	limits broker.Limits
	users  []broker.User
	denied string // topic prefix its clients may not publish to
	caps   target.Capabilities
	ws     string // with ws=<path>: plain MQTT is served over WebSocket at this path

	mu     sync.Mutex
	b      *broker.Broker
	addr   string
	psk    *inprocPSK
	cancel context.CancelFunc
	served chan error // one result per listener
}

// Parse reads inproc[:profile][?options]. Profiles: host
// (default), pico, esp32c3. With anonymous=true no user is configured and
// any client may connect; by default User is required. Either way
// clients may not publish below fixtures.DeniedTopic. The TLS-PSK
// endpoint, with a random identity and key, accepts what FullPSK lists;
// psk_ke=false, psk_suites=... and psk_groups=... narrow it (see
// target.PSKOptions), e.g. psk_groups=p256 makes clients whose first
// key share is X25519 go through HelloRetryRequest. Its server answers
// an unknown PSK identity as a wrong key, with decrypt_error;
// psk_reveal_identity=true sets tlspsk.Config.RevealUnknownIdentity, for
// unknown_psk_identity, so that specs can check both settings. With
// ws=/path plain MQTT is served over WebSocket (broker/mqttws) instead of
// TCP, for the suites to check MQTT-6.0.0.
func Parse(u *url.URL) (target.Target, error) {
	profile := u.Opaque
	if u.Host != "" || u.Path != "" {
		return nil, fmt.Errorf("want inproc or inproc:<profile>")
	}
	lim, ok := boards.LimitsFor(cmp.Or(profile, "host"))
	if !ok {
		return nil, fmt.Errorf("unknown profile %q (known: host, pico, esp32c3)", profile)
	}
	lim.ConnectTimeout = ConnectTimeout
	o := target.NewOptions(u)
	anonymous := o.Bool("anonymous", false)
	ws := o.String("ws", "")
	if ws != "" && ws[0] != '/' {
		return nil, fmt.Errorf("option ws=%q: want a path such as /mqtt", ws)
	}
	self, err := peers.Lookup(peers.GatoMQTT)
	if err != nil {
		return nil, err
	}
	psk, _ := target.PSKOptions(o, self.PSK)
	// The peer declares both answers to an unknown identity; this target
	// knows which its server gives.
	unknownIdentity := tlspsk.AlertDecryptError
	if o.Bool("psk_reveal_identity", false) {
		unknownIdentity = tlspsk.AlertUnknownPSKIdentity
	}
	if !psk.Alerts.UnknownIdentity.Has(unknownIdentity) {
		return nil, fmt.Errorf("fixtures/peers does not declare %s for an unknown identity to %s", unknownIdentity, self.Name)
	}
	psk.Alerts.UnknownIdentity = target.Alerts(unknownIdentity)
	if !psk.MaxFragmentLength || !psk.RecordSizeLimit {
		return nil, fmt.Errorf("options psk_mfl and psk_rsl: the inproc server always honours both")
	}
	if len(psk.CipherSuites) == 0 || len(psk.Groups) == 0 {
		return nil, fmt.Errorf("options psk_suites and psk_groups need at least one value")
	}
	if err := o.Err(); err != nil {
		return nil, err
	}
	t := &inprocTarget{name: "inproc", limits: lim, denied: fixtures.DeniedTopic, ws: ws}
	if profile != "" {
		t.name += ":" + profile
	}
	if u.RawQuery != "" {
		t.name += "?" + u.RawQuery
	}
	t.caps = target.Capabilities{
		Limits: target.Limits{
			Sessions:      lim.MaxSessions,
			Subscriptions: lim.MaxSubscriptions,
			Inflight:      lim.MaxInflight,
			Queued:        lim.MaxQueued,
			Retained:      lim.MaxRetained,
			PacketSize:    lim.MaxPacketSize,
			TopicLength:   lim.MaxTopicLength,
			PayloadSize:   lim.MaxPayloadSize,
			Burst:         target.Unlimited,
		},
		MaxQoS:             2,
		PersistentSessions: true,
		Retain:             true,
		Wills:              true,
		Anonymous:          anonymous,
		MemoryStats:        true,
		PSK:                psk,
		ConnectTimeout:     lim.ConnectTimeout,
		DeniedTopic:        t.denied,
		Deviations:         self.Deviations,
		Peer:               self.Name,
	}
	if lim.PublishRate > 0 { // a token bucket of PublishBurst tokens, 0 meaning PublishRate
		t.caps.Limits.Burst = lim.PublishRate
		if lim.PublishBurst > 0 {
			t.caps.Limits.Burst = lim.PublishBurst
		}
	}
	if !anonymous {
		u := User
		t.users = []broker.User{{Name: u.Name, Password: u.Password}}
		t.caps.Credentials = &u
		t.caps.RejectsBadPassword = true
	}
	// The broker's fixed tables for these limits and users: what the
	// running broker must report (memory specs).
	if b, err := broker.New(broker.Config{Limits: lim, Users: t.users}); err == nil {
		t.caps.Memory.StateBytes = uint64(b.Stats().StateBytes)
		b.Close()
	}
	return t, nil
}

func (t *inprocTarget) Name() string                      { return t.name }
func (t *inprocTarget) Capabilities() target.Capabilities { return t.caps }

func (t *inprocTarget) Endpoints() target.Endpoints {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := target.Endpoints{MQTT: t.addr, WebSocket: t.ws}
	if t.psk != nil {
		ep := t.psk.ep
		e.PSK = &ep
	}
	return e
}

// Start builds the broker and serves it on two free loopback ports: plain
// MQTT (over WebSocket with ws=), and MQTT over TLS-PSK.
func (t *inprocTarget) Start(ctx context.Context) error {
	psk, err := newInprocPSK(t.caps.PSK)
	if err != nil {
		return err
	}
	b, err := broker.New(broker.Config{Limits: t.limits, Users: t.users, Authorize: denyWritesBelow(t.denied)})
	if err != nil {
		return err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		b.Close()
		return err
	}
	pln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		ln.Close()
		b.Close()
		return err
	}
	sctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 2)
	if t.ws != "" {
		go func() { served <- mqttws.Serve(sctx, ln, b, mqttws.HandlerOptions{}) }()
	} else {
		go func() { served <- listen.Serve(sctx, ln, b) }()
	}
	tln := psk.listener(pln)
	go func() { served <- listen.Serve(sctx, tln, b) }()
	t.mu.Lock()
	t.b, t.addr, t.psk, t.cancel, t.served = b, ln.Addr().String(), psk, cancel, served
	t.mu.Unlock()
	return nil
}

// Stop stops serving, closes the broker and waits for both.
func (t *inprocTarget) Stop() error {
	t.mu.Lock()
	b, cancel, served := t.b, t.cancel, t.served
	t.b, t.cancel = nil, nil
	t.mu.Unlock()
	if b == nil {
		return nil
	}
	cancel()
	var err error
	for range 2 {
		if serr := <-served; err == nil && !errors.Is(serr, context.Canceled) {
			err = serr
		}
	}
	if cerr := b.Close(); err == nil {
		err = cerr
	}
	return err
}

// Stats reports the broker's counters and this process's heap.
func (t *inprocTarget) Stats() (target.Stats, bool) {
	t.mu.Lock()
	b, psk := t.b, t.psk
	t.mu.Unlock()
	if b == nil {
		return target.Stats{}, false
	}
	bs := b.Stats()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return target.Stats{
		Sessions:    bs.Sessions,
		Retained:    bs.Retained,
		HeapInUse:   ms.HeapInuse,
		BrokerBytes: uint64(bs.StateBytes),
		Extra: map[string]int64{
			"connections":          int64(bs.Connections),
			"connections_total":    int64(bs.ConnectionsTotal),
			"connections_refused":  int64(bs.ConnectionsRefused),
			"protocol_errors":      int64(bs.ProtocolErrors),
			"messages_in":          int64(bs.MessagesIn),
			"messages_out":         int64(bs.MessagesOut),
			"wills":                int64(bs.Wills),
			"dropped":              int64(bs.Dropped),
			"dropped_denied":       int64(bs.DroppedBy[broker.DropDenied]),
			"subscriptions_denied": int64(bs.SubscriptionsDenied),
			"rate_limited":         int64(bs.RateLimited),
			"retained_refused":     int64(bs.RetainedRefused),
			"stored_messages":      int64(bs.StoredMessages),
			"psk_connections":      int64(psk.count()),
		},
	}, true
}

// Broker returns the broker of an inproc target, for specs that inspect it
// directly (its Stats, its in-process client); ok is false for other
// targets or before Start.
func Broker(t target.Target) (b *broker.Broker, ok bool) {
	it, isInproc := t.(*inprocTarget)
	if !isInproc {
		return nil, false
	}
	it.mu.Lock()
	defer it.mu.Unlock()
	return it.b, it.b != nil
}
