package listen_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/listen"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

var models = []listen.Model{listen.Epoll, listen.RuntimePoller, listen.Goroutines}

func TestServeOverTCP(t *testing.T) {
	for _, m := range models {
		t.Run(m.String(), func(t *testing.T) { testServeOverTCP(t, m) })
	}
}

func testServeOverTCP(t *testing.T, m listen.Model) {
	b, err := broker.New(broker.Config{Limits: broker.PicoLimits})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- listen.ServeModel(ctx, ln, b, m) }()

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	rd := packet.NewReader(c, make([]byte, 1024))
	send := func(p packet.Packet) {
		t.Helper()
		buf, err := p.Append(nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write(buf); err != nil {
			t.Fatal(err)
		}
	}
	expect := func(want packet.Type) packet.Packet {
		t.Helper()
		p, err := rd.ReadPacket()
		if err != nil {
			t.Fatalf("reading %v: %v", want, err)
		}
		if p.Type() != want {
			t.Fatalf("got %T, want type %d", p, want)
		}
		return p
	}
	send(packet.Connect{ClientID: []byte("tcp"), CleanSession: true})
	if ack := expect(packet.CONNACK).(*packet.Connack); ack.ReturnCode != packet.Accepted {
		t.Fatalf("CONNACK %d", ack.ReturnCode)
	}
	send(packet.NewSubscribe(1, packet.Filter{Topic: []byte("t/#"), QoS: 1}))
	expect(packet.SUBACK)
	send(packet.Publish{Topic: []byte("t/x"), Payload: []byte("hi"), QoS: 1, PacketID: 2})
	// The PUBACK and the delivery may come in either order.
	var got *packet.Publish
	for range 2 {
		p, err := rd.ReadPacket()
		if err != nil {
			t.Fatal(err)
		}
		if pub, ok := p.(*packet.Publish); ok {
			got = &packet.Publish{Topic: append([]byte(nil), pub.Topic...), Payload: append([]byte(nil), pub.Payload...)}
		}
	}
	if got == nil || string(got.Topic) != "t/x" || string(got.Payload) != "hi" {
		t.Fatalf("delivery %+v", got)
	}

	cancel()
	if err := <-served; !errors.Is(err, context.Canceled) {
		t.Fatalf("Serve returned %v, want context.Canceled", err)
	}
	if _, err := rd.ReadPacket(); err == nil {
		t.Fatal("connection still open after Serve returned")
	}
}
