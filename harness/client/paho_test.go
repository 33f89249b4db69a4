package client

import (
	"net"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

// fakeBroker accepts one connection on a loopback port and hands it to the
// test as a RawClient, so the test plays the server against paho.
func fakeBroker(t *testing.T) (target.Target, <-chan *RawClient) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	conns := make(chan *RawClient, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			conns <- NewRawClient(c)
		}
	}()
	return target.Static{Ep: target.Endpoints{MQTT: ln.Addr().String()}, Caps: target.Capabilities{Credentials: &target.User{Name: "u", Password: "p"}}}, conns
}

func TestPahoManualAckAndAbort(t *testing.T) {
	tg, conns := fakeBroker(t)
	c := NewPaho(tg, "manual", func(o *mqtt.ClientOptions) { o.SetAutoAckDisabled(true) })
	connected := make(chan error, 1)
	go func() { _, err := c.ConnectWait(); connected <- err }()

	srv := <-conns
	defer srv.Close()
	p, err := srv.Expect(packet.CONNECT, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	cp := p.(*packet.Connect)
	if cp.ProtocolLevel != 4 || string(cp.ClientID) != "manual" || string(cp.Username) != "u" || string(cp.Password) != "p" {
		t.Errorf("paho sent %s, want MQTT 3.1.1 with the target's credentials", Describe(cp))
	}
	if err := srv.Send(&packet.Connack{}); err != nil {
		t.Fatal(err)
	}
	if err := <-connected; err != nil {
		t.Fatal(err)
	}

	if err := srv.Publish("t", []byte("m"), 1, false, 5); err != nil {
		t.Fatal(err)
	}
	var m mqtt.Message
	select {
	case m = <-c.Messages:
	case <-time.After(5 * time.Second):
		t.Fatal("paho delivered nothing")
	}
	if err := srv.ExpectNothing(200 * time.Millisecond); err != nil {
		t.Fatalf("paho acknowledged before the test did: %v", err)
	}
	m.Ack()
	if err := srv.ExpectPuback(5, 5*time.Second); err != nil {
		t.Fatal(err)
	}

	if err := c.Abort(); err != nil {
		t.Fatal(err)
	}
	if err := srv.ExpectClosed(5 * time.Second); err != nil {
		t.Errorf("server side after Abort: %v", err)
	}
	select {
	case <-c.Lost:
	case <-time.After(5 * time.Second):
		t.Error("paho did not report the aborted connection as lost")
	}
	if c.IsConnectionOpen() {
		t.Error("paho still thinks it is connected")
	}
}
