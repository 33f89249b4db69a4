package main

import (
	"net"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// The tests speak MQTT to the daemon through the harness's raw client,
// one per connection, over plain TCP or an established TLS-PSK stream.

// ioWait bounds every wait for the daemon.
const ioWait = 5 * time.Second

// dial connects a client to the daemon's MQTT address.
func dial(t *testing.T, addr string) *client.RawClient {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, ioWait)
	if err != nil {
		t.Fatal(err)
	}
	return speak(t, conn)
}

// speak speaks MQTT on an established connection, closed when the test
// ends.
func speak(t *testing.T, conn net.Conn) *client.RawClient {
	c := client.NewRawClient(conn)
	t.Cleanup(func() { c.Close() })
	return c
}

// connack sends the CONNECT o describes and returns the CONNACK code.
func connack(t *testing.T, c *client.RawClient, o client.ConnectOptions) packet.ConnackCode {
	t.Helper()
	ack, err := c.Connect(o, ioWait)
	if err != nil {
		t.Fatal(err)
	}
	return ack.ReturnCode
}

// connectCode connects to addr with a clean session as user (none when
// empty) and returns the CONNACK code.
func connectCode(t *testing.T, addr, user, password string) packet.ConnackCode {
	t.Helper()
	return connack(t, dial(t, addr), client.ConnectOptions{ClientID: "cmd-test", CleanSession: true, Username: user, Password: password})
}

// mustConnect sends the CONNECT o describes on c and fails the test
// unless the daemon accepts it.
func mustConnect(t *testing.T, c *client.RawClient, o client.ConnectOptions) {
	t.Helper()
	if code := connack(t, c, o); code != packet.Accepted {
		t.Fatalf("CONNACK %d for %q, want 0", code, o.ClientID)
	}
}

// check fails the test on an error of the client.
func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
