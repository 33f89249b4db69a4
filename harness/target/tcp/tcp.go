// Package tcp is the harness target for any MQTT 3.1.1 broker already
// listening at an address (tcp://host:port?options): the harness neither
// starts nor stops it, and knows of it only what the target string and
// the peer's declaration in fixtures/peers say.
package tcp

import (
	"context"
	"fmt"
	"net"
	"net/url"

	"github.com/gatomqtt/gatomqtt/fixtures/peers"
	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

func init() { target.Register("tcp", Parse) }

// tcpTarget is any MQTT 3.1.1 broker already listening at an address.
// The harness neither starts nor stops it; Start only checks that it
// answers a CONNECT.
type tcpTarget struct {
	name string
	ep   target.Endpoints
	caps target.Capabilities
}

// Parse reads tcp://[user:password@]host:port[?options]. Options:
//
//	username, password    credentials clients present (also from userinfo)
//	anonymous=bool        the broker accepts clients without username
//	                      (default: true when no username is given)
//	checkpassword=bool    the broker refuses a wrong password (default:
//	                      true when a username is given)
//	peer=name             implementation behind the address (gatomqtt,
//	                      mosquitto): its declaration in fixtures/peers
//	                      (deviations, TLS-PSK defaults and alerts)
//	qos=0|1|2             highest QoS supported (default 2)
//	persistent, retain, wills=bool   features (default true)
//	sessions, subscriptions, inflight, queued, retained, packetsize,
//	topiclength, payloadsize, burst=n|unlimited     declared limits
//	connecttimeout=10s    how long the broker waits for CONNECT (default: undeclared)
//	denied=prefix         a topic prefix below which the clients may
//	                      subscribe but not publish (target.Capabilities.DeniedTopic)
//	ws=/path              the address serves MQTT over WebSocket at path
//	                      (subprotocol mqtt), not over TCP
//	psk=host:port, psk_identity=id, psk_key=hex   TLS-PSK endpoint, with
//	psk_ke, psk_suites, psk_groups, psk_mfl, psk_rsl  what it negotiates
//	                      (see target.PSKOptions; defaults: the peer's
//	                      declaration, else target.FullPSK)
func Parse(u *url.URL) (target.Target, error) {
	if u.Opaque != "" || u.Host == "" {
		return nil, fmt.Errorf("want tcp://host:port")
	}
	if _, port, err := net.SplitHostPort(u.Host); err != nil || port == "" {
		return nil, fmt.Errorf("address %q needs a host and a port", u.Host)
	}
	if u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("unexpected path %q", u.Path)
	}
	o := target.NewOptions(u)
	t := &tcpTarget{name: target.Redact(u), ep: target.Endpoints{MQTT: u.Host, WebSocket: o.String("ws", "")}}
	if ws := t.ep.WebSocket; ws != "" && ws[0] != '/' {
		return nil, fmt.Errorf("option ws=%q: want the path of MQTT over WebSocket, such as /mqtt", ws)
	}

	user := o.String("username", "")
	pass := o.String("password", "")
	if u.User != nil {
		user = u.User.Username()
		pass, _ = u.User.Password()
	}
	c := target.Capabilities{
		Limits: target.Limits{
			Sessions:      o.Int("sessions", target.Unlimited),
			Subscriptions: o.Int("subscriptions", target.Unlimited),
			Inflight:      o.Int("inflight", target.Unlimited),
			Queued:        o.Int("queued", target.Unlimited),
			Retained:      o.Int("retained", target.Unlimited),
			PacketSize:    o.Int("packetsize", target.Unlimited),
			TopicLength:   o.Int("topiclength", target.Unlimited),
			PayloadSize:   o.Int("payloadsize", target.Unlimited),
			Burst:         o.Int("burst", target.Unlimited),
		},
		MaxQoS:             byte(o.Int("qos", 2)),
		PersistentSessions: o.Bool("persistent", true),
		Retain:             o.Bool("retain", true),
		Wills:              o.Bool("wills", true),
		Anonymous:          o.Bool("anonymous", user == ""),
		RejectsBadPassword: o.Bool("checkpassword", user != ""),
		Peer:               o.String("peer", ""),
		ConnectTimeout:     o.Duration("connecttimeout"),
		DeniedTopic:        o.String("denied", ""),
	}
	if err := target.CheckDeniedPrefix(c.DeniedTopic); err != nil {
		return nil, err
	}
	if c.MaxQoS > 2 {
		return nil, fmt.Errorf("option qos=%d: want 0, 1 or 2", c.MaxQoS)
	}
	if user != "" {
		c.Credentials = &target.User{Name: user, Password: pass}
	} else if pass != "" {
		return nil, fmt.Errorf("option password without username")
	}
	if c.RejectsBadPassword && c.Credentials == nil {
		return nil, fmt.Errorf("option checkpassword needs username and password")
	}
	defPSK := target.FullPSK
	if c.Peer != "" {
		p, err := peers.Lookup(c.Peer)
		if err != nil {
			return nil, fmt.Errorf("option peer=%q: %w", c.Peer, err)
		}
		c.Deviations, defPSK = p.Deviations, p.PSK
	}
	ep, psk, err := target.PSKEndpointOptions(o, defPSK)
	if err != nil {
		return nil, err
	}
	t.ep.PSK, c.PSK = ep, psk
	if err := o.Err(); err != nil {
		return nil, err
	}
	t.caps = c
	return t, nil
}

func (t *tcpTarget) Name() string                      { return t.name }
func (t *tcpTarget) Endpoints() target.Endpoints       { return t.ep }
func (t *tcpTarget) Capabilities() target.Capabilities { return t.caps }
func (t *tcpTarget) Stats() (target.Stats, bool)       { return target.Stats{}, false }
func (t *tcpTarget) Stop() error                       { return nil }

// Start checks that the broker answers a CONNECT with the configured
// credentials, so an unreachable or misconfigured target fails the suite
// once instead of every spec.
func (t *tcpTarget) Start(ctx context.Context) error {
	return client.Probe(ctx, t.ep.MQTT, t.caps.Credentials)
}
