package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk/psknet"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

// ErrNoPSKEndpoint is returned when a PSK client is asked of a target that
// declares no TLS-PSK endpoint.
var ErrNoPSKEndpoint = errors.New("harness: target has no TLS-PSK endpoint")

// PSKConfig returns the client configuration for ep: its identity and
// key, the tlspsk defaults otherwise (every suite, psk_dhe_ke over X25519
// then P-256, no record size request). configure functions then change
// what a spec needs (KeyExchangeModes, CipherSuites, MaxFragmentLength,
// a wrong Key, ...).
func PSKConfig(ep *target.PSKEndpoint, configure ...func(*tlspsk.Config)) *tlspsk.Config {
	cfg := &tlspsk.Config{PSK: tlspsk.PSK{Identity: ep.Identity, Key: append([]byte(nil), ep.Key...)}}
	for _, f := range configure {
		if f != nil {
			f(cfg)
		}
	}
	return cfg
}

// PSKConn is a client's TLS-PSK connection together with the TCP
// connection beneath it, whose TLS records are counted (see RecordConn).
type PSKConn struct {
	*psknet.Conn
	Wire *RecordConn
}

// PSKHandshakeTimeout bounds a TLS-PSK handshake made by the harness.
var PSKHandshakeTimeout = 10 * time.Second

// DialPSKConn connects to the TLS-PSK endpoint ep and completes the
// handshake with PSKConfig(ep, configure...). When the handshake fails it
// returns the error together with a PSKConn whose Wire is still open, so
// that the caller can see what the server sent and that it closes the
// connection (Wire.ExpectClosed); the caller closes it.
func DialPSKConn(ctx context.Context, ep *target.PSKEndpoint, configure ...func(*tlspsk.Config)) (*PSKConn, error) {
	if ep == nil {
		return nil, ErrNoPSKEndpoint
	}
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", ep.Address)
	if err != nil {
		return nil, fmt.Errorf("harness: dial TLS-PSK %s: %w", ep.Address, err)
	}
	return handshakePSK(ctx, NewRecordConn(raw), ep, configure...)
}

func handshakePSK(ctx context.Context, wire *RecordConn, ep *target.PSKEndpoint, configure ...func(*tlspsk.Config)) (*PSKConn, error) {
	c := &PSKConn{Conn: psknet.Client(wire, PSKConfig(ep, configure...)), Wire: wire}
	ctx, cancel := context.WithTimeout(ctx, PSKHandshakeTimeout)
	defer cancel()
	if err := c.HandshakeContext(ctx); err != nil {
		return c, fmt.Errorf("harness: TLS-PSK handshake with %s as %q: %w", ep.Address, ep.Identity, err)
	}
	return c, nil
}

// DialPSK connects a RawClient to target's TLS-PSK endpoint. The raw
// client reads and writes MQTT through the TLS connection, with the same
// timeouts and close detection as over plain TCP: it talks to the TLS
// connection through an in-memory pipe, so that a read that times out on
// the raw client never interrupts a TLS record half read. Closing the raw
// client sends close_notify and closes the TCP connection.
func DialPSK(target target.Target, configure ...func(*tlspsk.Config)) (*RawClient, *PSKConn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), PSKHandshakeTimeout)
	defer cancel()
	c, err := DialPSKConn(ctx, target.Endpoints().PSK, configure...)
	if err != nil {
		if c != nil {
			c.Wire.Close()
		}
		return nil, nil, err
	}
	return NewRawClient(pipeTo(c)), c, nil
}

// pskPipe is the raw client's end of the pipe to a TLS connection.
type pskPipe struct {
	net.Conn
	tls *PSKConn
}

func (p *pskPipe) LocalAddr() net.Addr  { return p.tls.LocalAddr() }
func (p *pskPipe) RemoteAddr() net.Addr { return p.tls.RemoteAddr() }

// pipeTo copies between c and the returned end of a pipe until either side
// closes.
func pipeTo(c *PSKConn) net.Conn {
	local, remote := net.Pipe()
	go func() {
		_, _ = io.Copy(remote, c)
		remote.Close()
	}()
	go func() {
		_, _ = io.Copy(c, remote)
		c.Close()
	}()
	return &pskPipe{Conn: local, tls: c}
}

// A PahoPSKClient is a PahoClient that connects through the target's
// TLS-PSK endpoint. Abort and Lost behave as for PahoClient (Abort closes
// the TCP connection beneath TLS).
type PahoPSKClient struct {
	*PahoClient
	mu  sync.Mutex
	psk *PSKConn
}

// PSK is the current TLS-PSK connection, nil before the first connect.
func (c *PahoPSKClient) PSK() *PSKConn {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.psk
}

// NewPahoPSK returns an unconnected paho client for target's TLS-PSK
// endpoint, as NewPaho does for its plain endpoint. psk changes the TLS
// client configuration (nil keeps PSKConfig's defaults); configure changes
// the MQTT options as for NewPaho. Connecting fails with ErrNoPSKEndpoint
// when the target has no TLS-PSK endpoint, and with the handshake error
// (an *tlspsk.AlertError when the server refused) when TLS fails.
func NewPahoPSK(target target.Target, id string, psk func(*tlspsk.Config), configure ...func(*mqtt.ClientOptions)) *PahoPSKClient {
	ep := target.Endpoints().PSK
	pc := &PahoPSKClient{}
	overPSK := func(o *mqtt.ClientOptions) {
		plain := o.CustomOpenConnectionFn // NewPaho's: dials TCP, makes Abort work
		o.Servers = nil
		if ep != nil {
			o.AddBroker("tcp://" + ep.Address)
		} else {
			o.AddBroker("tcp://" + target.Endpoints().MQTT)
		}
		o.SetCustomOpenConnectionFn(func(u *url.URL, opts mqtt.ClientOptions) (net.Conn, error) {
			if ep == nil {
				return nil, ErrNoPSKEndpoint
			}
			raw, err := plain(u, opts)
			if err != nil {
				return nil, err
			}
			c, err := handshakePSK(context.Background(), NewRecordConn(raw), ep, psk)
			if err != nil {
				raw.Close()
				return nil, err
			}
			pc.mu.Lock()
			pc.psk = c
			pc.mu.Unlock()
			return c, nil
		})
	}
	pc.PahoClient = NewPaho(target, id, append(configure, overPSK)...)
	return pc
}
