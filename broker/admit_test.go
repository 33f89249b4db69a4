package broker_test

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/brokertest"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// TestConnectThenGarbage sends a valid CONNECT and, in the same write,
// something the broker must refuse: the CONNACK of the accepted CONNECT
// reaches the client before the connection closes, as with mosquitto.
func TestConnectThenGarbage(t *testing.T) {
	connect := mustAppend(packet.Connect{ClientID: []byte("g"), CleanSession: true})
	tests := []struct {
		name    string
		garbage []byte
		reason  error
	}{
		{"reserved packet type", []byte{0xf0, 0}, broker.ErrProtocol},
		{"bad remaining length", []byte{0x30, 0xff, 0xff, 0xff, 0xff}, broker.ErrProtocol},
		{"second CONNECT", connect, broker.ErrProtocol},
		{"server packet", mustAppend(packet.Connack{}), broker.ErrProtocol},
		{"too large", []byte{0x30, 0xff, 0x7f}, broker.ErrLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBroker(t, broker.Config{Limits: smallLimits()})
			c := dial(t, b)
			c.sendRaw(append(append([]byte(nil), connect...), tt.garbage...))
			if ack := recvAs[*packet.Connack](c); ack.ReturnCode != packet.Accepted {
				t.Fatalf("CONNACK %d, want 0", ack.ReturnCode)
			}
			if err := c.expectClosed(); !errors.Is(err, tt.reason) {
				t.Errorf("ServeConn returned %v, want %v", err, tt.reason)
			}
		})
	}
}

// TestConnectThenGarbageUnread checks that a client that does not read
// the answers left for it holds its connection for one second of the
// broker's clock at most.
func TestConnectThenGarbageUnread(t *testing.T) {
	clock := brokertest.NewClock(time.Unix(0, 0))
	b := newBroker(t, broker.Config{Limits: smallLimits(), Clock: clock})
	srv, cli := net.Pipe()
	defer cli.Close()
	served := make(chan error, 1)
	go func() { served <- b.ServeConn(srv) }()
	cli.SetWriteDeadline(time.Now().Add(wait))
	if _, err := cli.Write(mustAppend(packet.Connect{ClientID: []byte("g"), CleanSession: true}, packet.Connack{})); err != nil {
		t.Fatal(err)
	}
	// The flush timer runs from when the reader meets the garbage, which
	// the test cannot see: move the clock on until ServeConn returns.
	// Only the flush timer can end it (no keep alive, CONNECT received).
	for i := 0; ; i++ {
		clock.Advance(time.Second)
		select {
		case err := <-served:
			if !errors.Is(err, broker.ErrProtocol) {
				t.Errorf("ServeConn returned %v, want ErrProtocol", err)
			}
			return
		case <-time.After(10 * time.Millisecond):
		}
		if i == int(wait/(10*time.Millisecond)) {
			t.Fatal("ServeConn did not return though the client reads nothing")
		}
	}
}
