package load

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk/psknet"
)

// A DialFunc opens a connection to a broker's address, ready for MQTT:
// over TCP, or over TLS with its handshake done. ctx bounds the dial and
// any handshake.
type DialFunc func(ctx context.Context, addr string) (net.Conn, error)

// ErrHandshake marks a connection whose TCP connect succeeded but whose
// TLS handshake failed, so that the scenarios count it apart from
// connects the broker's host refused.
var ErrHandshake = errors.New("TLS handshake failed")

// open dials addr with d, or over TCP when d is nil, within timeout.
func (d DialFunc) open(ctx context.Context, addr string, timeout time.Duration) (net.Conn, error) {
	if d == nil {
		nd := net.Dialer{Timeout: timeout}
		return nd.DialContext(ctx, "tcp", addr)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return d(ctx, addr)
}

// PSK describes the TLS-PSK client of PSKDial: the identity and key it
// offers, and whether it offers psk_ke (the PSK alone) instead of
// psk_dhe_ke over X25519, the default, which every TLS 1.3 PSK server
// takes, mosquitto's among them.
type PSK struct {
	Identity string
	Key      []byte
	PSKOnly  bool // offer psk_ke alone: no key share, no forward secrecy
}

// Mode names the key exchange the client offers.
func (p PSK) Mode() tlspsk.KeyExchangeMode {
	if p.PSKOnly {
		return tlspsk.KeyExchangePSK
	}
	return tlspsk.KeyExchangePSKDHE
}

// config is the tlspsk client configuration of p: the package's cipher
// suites, and for psk_dhe_ke one X25519 share, so that a server that
// takes X25519 (both brokers do) answers without HelloRetryRequest and
// every handshake costs the same.
func (p PSK) config() *tlspsk.Config {
	cfg := &tlspsk.Config{
		PSK:              tlspsk.PSK{Identity: p.Identity, Key: append([]byte(nil), p.Key...)},
		KeyExchangeModes: []tlspsk.KeyExchangeMode{p.Mode()},
	}
	if !p.PSKOnly {
		cfg.Groups = []tlspsk.Group{tlspsk.X25519}
	}
	return cfg
}

// PSKDial returns a DialFunc that connects over TCP and completes a TLS
// 1.3 external-PSK handshake as p says, with package broker/tlspsk's
// client (as the conformance harness's TLS-PSK clients do). A failed
// handshake yields an error wrapping ErrHandshake.
func PSKDial(p PSK) (DialFunc, error) {
	cfg := p.config()
	if err := cfg.CheckClient(); err != nil {
		return nil, fmt.Errorf("load: TLS-PSK client: %w", err)
	}
	return func(ctx context.Context, addr string) (net.Conn, error) {
		var d net.Dialer
		raw, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		c := psknet.Client(raw, cfg)
		if err := c.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, fmt.Errorf("%w with %s as %q (%v): %w", ErrHandshake, addr, p.Identity, p.Mode(), err)
		}
		return c, nil
	}, nil
}

// resetOnClose makes closing nc, or the TCP connection beneath its TLS,
// send a reset rather than a FIN: a closing side keeps each connection
// in TIME_WAIT for a minute, holding its ephemeral port, and a run that
// opens tens of thousands of connections would exhaust the range (see
// disconnect).
func resetOnClose(nc net.Conn) {
	if pc, ok := nc.(*psknet.Conn); ok {
		nc = pc.NetConn()
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
}
