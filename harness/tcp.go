package harness

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/gatomqtt/gatomqtt/fixtures/deviations"
)

func init() { Register("tcp", parseTCP) }

// tcpTarget is any MQTT 3.1.1 broker already listening at an address.
// The harness neither starts nor stops it; Start only checks that it
// answers a CONNECT.
type tcpTarget struct {
	name string
	ep   Endpoints
	caps Capabilities
}

// parseTCP reads tcp://[user:password@]host:port[?options]. Options:
//
//	username, password    credentials clients present (also from userinfo)
//	anonymous=bool        the broker accepts clients without username
//	                      (default: true when no username is given)
//	checkpassword=bool    the broker refuses a wrong password (default:
//	                      true when a username is given)
//	peer=name             implementation behind the address; loads
//	                      fixtures/deviations/<name>.tsv (e.g. mosquitto)
//	qos=0|1|2             highest QoS supported (default 2)
//	persistent, retain, wills=bool   features (default true)
//	sessions, subscriptions, inflight, queued, retained, packetsize,
//	topiclength, payloadsize, burst=n|unlimited     declared limits
//	connecttimeout=10s    how long the broker waits for CONNECT (default: undeclared)
//	denied=prefix         a topic prefix below which the clients may
//	                      subscribe but not publish (Capabilities.DeniedTopic)
//	psk=host:port, psk_identity=id, psk_key=hex   TLS-PSK endpoint, with
//	psk_ke, psk_suites, psk_groups, psk_mfl, psk_rsl  what it negotiates
//	                      (see PSKCapabilities; defaults: FullPSK, and for
//	                      peer=mosquitto psk_dhe_ke, GCM and no
//	                      record_size_limit, as OpenSSL 3.0 has them)
func parseTCP(u *url.URL) (Target, error) {
	if u.Opaque != "" || u.Host == "" {
		return nil, fmt.Errorf("want tcp://host:port")
	}
	if _, port, err := net.SplitHostPort(u.Host); err != nil || port == "" {
		return nil, fmt.Errorf("address %q needs a host and a port", u.Host)
	}
	if u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("unexpected path %q", u.Path)
	}
	o := newOptions(u)
	t := &tcpTarget{name: redact(u), ep: Endpoints{MQTT: u.Host}}

	user := o.str("username", "")
	pass := o.str("password", "")
	if u.User != nil {
		user = u.User.Username()
		pass, _ = u.User.Password()
	}
	c := Capabilities{
		Limits: Limits{
			Sessions:      o.int("sessions", Unlimited),
			Subscriptions: o.int("subscriptions", Unlimited),
			Inflight:      o.int("inflight", Unlimited),
			Queued:        o.int("queued", Unlimited),
			Retained:      o.int("retained", Unlimited),
			PacketSize:    o.int("packetsize", Unlimited),
			TopicLength:   o.int("topiclength", Unlimited),
			PayloadSize:   o.int("payloadsize", Unlimited),
			Burst:         o.int("burst", Unlimited),
		},
		MaxQoS:             byte(o.int("qos", 2)),
		PersistentSessions: o.bool("persistent", true),
		Retain:             o.bool("retain", true),
		Wills:              o.bool("wills", true),
		Anonymous:          o.bool("anonymous", user == ""),
		RejectsBadPassword: o.bool("checkpassword", user != ""),
		Peer:               o.str("peer", ""),
		ConnectTimeout:     o.duration("connecttimeout"),
		DeniedTopic:        o.str("denied", ""),
	}
	if err := checkDeniedPrefix(c.DeniedTopic); err != nil {
		return nil, err
	}
	if c.MaxQoS > 2 {
		return nil, fmt.Errorf("option qos=%d: want 0, 1 or 2", c.MaxQoS)
	}
	if user != "" {
		c.Credentials = &User{Name: user, Password: pass}
	} else if pass != "" {
		return nil, fmt.Errorf("option password without username")
	}
	if c.RejectsBadPassword && c.Credentials == nil {
		return nil, fmt.Errorf("option checkpassword needs username and password")
	}
	ep, psk, err := pskEndpointOptions(o, c.Peer)
	if err != nil {
		return nil, err
	}
	t.ep.PSK, c.PSK = ep, psk
	if err := o.err(); err != nil {
		return nil, err
	}
	if c.Peer != "" {
		known := false
		for _, p := range append(deviations.Peers(), "gatomqtt") {
			known = known || p == c.Peer
		}
		if !known {
			return nil, fmt.Errorf("option peer=%q: no fixtures/deviations/%s.tsv (known: gatomqtt, %v)",
				c.Peer, c.Peer, deviations.Peers())
		}
		d, err := deviations.For(c.Peer)
		if err != nil {
			return nil, err
		}
		c.Deviations = d
	}
	t.caps = c
	return t, nil
}

func (t *tcpTarget) Name() string               { return t.name }
func (t *tcpTarget) Endpoints() Endpoints       { return t.ep }
func (t *tcpTarget) Capabilities() Capabilities { return t.caps }
func (t *tcpTarget) Stats() (Stats, bool)       { return Stats{}, false }
func (t *tcpTarget) Stop() error                { return nil }

// Start checks that the broker answers a CONNECT with the configured
// credentials, so an unreachable or misconfigured target fails the suite
// once instead of every spec.
func (t *tcpTarget) Start(ctx context.Context) error {
	return Probe(ctx, t.ep.MQTT, t.caps.Credentials)
}

// Probe connects to addr, sends a clean-session CONNECT (with creds, when
// not nil) and waits for an accepting CONNACK, then disconnects.
func Probe(ctx context.Context, addr string, creds *User) error {
	deadline := time.Now().Add(10 * time.Second)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	c, err := dialAddr(ctx, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	opts := ConnectOptions{ClientID: ClientID("probe"), CleanSession: true, KeepAlive: 30}
	if creds != nil {
		opts.Username, opts.Password = creds.Name, creds.Password
	}
	ack, err := c.Connect(opts, time.Until(deadline))
	if err != nil {
		return fmt.Errorf("probing %s: %w", addr, err)
	}
	if ack.ReturnCode != 0 {
		return fmt.Errorf("probing %s: CONNACK refused the probe with return code %d (%s)",
			addr, ack.ReturnCode, connackText(ack.ReturnCode))
	}
	return c.Disconnect()
}
