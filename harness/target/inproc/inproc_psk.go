package inproc

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"sync"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk/psknet"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

// PSKKeyBytes is the length of the key the inproc target makes for
// its TLS-PSK endpoint.
const PSKKeyBytes = 32

// inprocPSK is the inproc target's TLS-PSK listener: one random identity
// and key per target, every mode, suite and group tlspsk implements (the
// groups may be narrowed by the psk_groups option, to provoke
// HelloRetryRequest), unknown identities revealed or not as the
// psk_reveal_identity option says, and a record of the server side of each live
// connection so specs can read its buffer sizes.
type inprocPSK struct {
	ep     target.PSKEndpoint
	config *tlspsk.Config

	mu    sync.Mutex
	conns map[*psknet.Conn]struct{}
}

func newInprocPSK(caps target.PSKCapabilities) (*inprocPSK, error) {
	var b [4 + PSKKeyBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	p := &inprocPSK{
		ep:    target.PSKEndpoint{Identity: "gato-inproc-" + hex.EncodeToString(b[:4]), Key: b[4:]},
		conns: map[*psknet.Conn]struct{}{},
	}
	p.config = &tlspsk.Config{
		PSKs:             []tlspsk.PSK{{Identity: p.ep.Identity, Key: p.ep.Key}},
		KeyExchangeModes: caps.Modes,
		CipherSuites:     caps.CipherSuites,
		Groups:           caps.Groups,
		// Parse narrowed the declaration to the one alert this server
		// sends for an unknown identity.
		RevealUnknownIdentity: caps.Alerts.UnknownIdentity.Has(tlspsk.AlertUnknownPSKIdentity),
	}
	return p, nil
}

// listener wraps inner so that each accepted connection is a tracked
// server-side TLS-PSK Conn.
func (p *inprocPSK) listener(inner net.Listener) net.Listener {
	p.ep.Address = inner.Addr().String()
	return &inprocPSKListener{Listener: inner, psk: p}
}

type inprocPSKListener struct {
	net.Listener
	psk *inprocPSK
}

func (l *inprocPSKListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := psknet.Server(c, l.psk.config)
	l.psk.mu.Lock()
	l.psk.conns[tc] = struct{}{}
	l.psk.mu.Unlock()
	return &inprocPSKConn{Conn: tc, psk: l.psk}, nil
}

// inprocPSKConn forgets its Conn when the broker closes it.
type inprocPSKConn struct {
	*psknet.Conn
	psk *inprocPSK
}

func (c *inprocPSKConn) Close() error {
	c.psk.mu.Lock()
	delete(c.psk.conns, c.Conn)
	c.psk.mu.Unlock()
	return c.Conn.Close()
}

// serverConn returns the live server-side Conn whose peer is client.
func (p *inprocPSK) serverConn(client net.Addr) (*tlspsk.Conn, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		if ra := c.RemoteAddr(); ra != nil && ra.String() == client.String() {
			return c.Conn, true
		}
	}
	return nil, false
}

func (p *inprocPSK) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// PSKServerState returns the connection state of the server side of the
// TLS-PSK connection whose client end has the local address client, when
// t is an inproc target serving it: what the server negotiated, and the
// record limits that size its buffers. It waits for the server's
// handshake to finish. ok is false for other targets or an unknown client.
func PSKServerState(t target.Target, client net.Addr) (s tlspsk.ConnectionState, ok bool) {
	c, ok := inprocServerConn(t, client)
	if !ok {
		return s, false
	}
	return c.ConnectionState(), true
}

// PSKServerBufferBytes reports the bytes of record buffers the server side
// of the TLS-PSK connection whose client end has the local address client
// holds now (tlspsk.Conn.BufferBytes), when t is an inproc target serving
// it; ok is false otherwise.
func PSKServerBufferBytes(t target.Target, client net.Addr) (n int, ok bool) {
	c, ok := inprocServerConn(t, client)
	if !ok {
		return 0, false
	}
	return c.BufferBytes(), true
}

func inprocServerConn(t target.Target, client net.Addr) (*tlspsk.Conn, bool) {
	it, isInproc := t.(*inprocTarget)
	if !isInproc || client == nil {
		return nil, false
	}
	it.mu.Lock()
	p := it.psk
	it.mu.Unlock()
	if p == nil {
		return nil, false
	}
	return p.serverConn(client)
}
