package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

// A PahoClient is a paho.mqtt.golang client set up for conformance work:
// MQTT 3.1.1 only (protocol version 4, no fallback to 3.1), no automatic
// reconnect or connect retry (a lost connection is an observation, not
// something to hide), and the network connection reachable so a spec can
// close it abruptly. Messages that no subscription callback claims arrive
// on Messages.
type PahoClient struct {
	mqtt.Client
	// ID is the client identifier.
	ID string
	// Messages receives messages without a subscription callback of their
	// own, in arrival order. It is buffered (see PahoMessageBuffer); a spec
	// that lets it fill blocks paho's delivery, as a slow client would.
	Messages chan mqtt.Message
	// Lost receives the error when the connection is lost without
	// Disconnect; it holds at most one.
	Lost chan error

	mu   sync.Mutex
	conn *abortableConn
}

// abortableConn lets Abort be seen by paho as a lost connection: paho
// ignores read errors on a connection closed locally (it assumes it closed
// it itself), so after Abort reads report errAborted instead.
type abortableConn struct {
	net.Conn
	aborted atomic.Bool
}

var errAborted = errors.New("harness: connection aborted by the spec")

func (c *abortableConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if err != nil && c.aborted.Load() {
		err = errAborted
	}
	return n, err
}

// PahoMessageBuffer is the capacity of PahoClient.Messages.
var PahoMessageBuffer = 1024

// PahoTimeout bounds the harness's waits on paho tokens.
var PahoTimeout = 10 * time.Second

// NewPaho returns an unconnected client for target with client id id. It
// presents the target's known credentials, if any. configure functions run
// last and may change any option (SetCleanSession, SetWill, manual acks
// with SetAutoAckDisabled(true) and msg.Ack(), ...); they should leave the
// protocol version, reconnect and the open-connection function alone.
func NewPaho(target target.Target, id string, configure ...func(*mqtt.ClientOptions)) *PahoClient {
	c := &PahoClient{
		ID:       id,
		Messages: make(chan mqtt.Message, PahoMessageBuffer),
		Lost:     make(chan error, 1),
	}
	o := mqtt.NewClientOptions().
		AddBroker(target.Endpoints().MQTTURL()).
		SetClientID(id).
		SetProtocolVersion(4).
		SetAutoReconnect(false).
		SetConnectRetry(false).
		SetCleanSession(true).
		SetKeepAlive(30 * time.Second).
		SetConnectTimeout(PahoTimeout).
		SetWriteTimeout(PahoTimeout).
		SetOrderMatters(true).
		SetDefaultPublishHandler(func(_ mqtt.Client, m mqtt.Message) { c.Messages <- m }).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) {
			select {
			case c.Lost <- err:
			default:
			}
		}).
		SetCustomOpenConnectionFn(func(u *url.URL, _ mqtt.ClientOptions) (net.Conn, error) {
			ctx, cancel := context.WithTimeout(context.Background(), PahoTimeout)
			defer cancel()
			conn, err := dialURL(ctx, u)
			if err != nil {
				return nil, err
			}
			ac := &abortableConn{Conn: conn}
			c.mu.Lock()
			c.conn = ac
			c.mu.Unlock()
			return ac, nil
		})
	if cr := target.Capabilities().Credentials; cr != nil {
		o.SetUsername(cr.Name).SetPassword(cr.Password)
	}
	for _, f := range configure {
		f(o)
	}
	c.Client = mqtt.NewClient(o)
	return c
}

// ConnectPaho makes a client as NewPaho does and connects it, returning an
// error that names the CONNACK code when the server refuses.
func ConnectPaho(target target.Target, id string, configure ...func(*mqtt.ClientOptions)) (*PahoClient, error) {
	c := NewPaho(target, id, configure...)
	if _, err := c.ConnectWait(); err != nil {
		return nil, err
	}
	return c, nil
}

// ConnectWait connects, waits for the CONNACK and reports its session
// present flag.
func (c *PahoClient) ConnectWait() (sessionPresent bool, err error) {
	tok := c.Connect()
	if err := Wait(tok, fmt.Sprintf("paho %s: connect", c.ID)); err != nil {
		return false, err
	}
	ct, _ := tok.(*mqtt.ConnectToken)
	return ct != nil && ct.SessionPresent(), nil
}

// Abort closes the network connection without DISCONNECT, with a TCP reset
// where possible, as a crashed client or a broken network would: the server
// must then publish the client's will (MQTT-3.1.2-8). Paho reports the loss
// on Lost.
func (c *PahoClient) Abort() error {
	c.mu.Lock()
	conn := c.conn
	c.mu.Unlock()
	if conn == nil {
		return errors.New("harness: Abort before connect")
	}
	conn.aborted.Store(true)
	if tc, ok := conn.Conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	return conn.Conn.Close()
}

// Close disconnects politely if still connected.
func (c *PahoClient) Close() {
	if c.IsConnectionOpen() {
		c.Disconnect(250)
	}
}

// Wait waits up to PahoTimeout for tok and returns its error, or a timeout
// error naming what.
func Wait(tok mqtt.Token, what string) error {
	if !tok.WaitTimeout(PahoTimeout) {
		return fmt.Errorf("%s: no answer within %s", what, PahoTimeout)
	}
	if err := tok.Error(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
