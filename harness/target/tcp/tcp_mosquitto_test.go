package tcp_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"
	"github.com/gatomqtt/gatomqtt/harness/target/targettest"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/peers"
)

func TestTCPTargetAgainstMosquitto(t *testing.T) {
	m := peers.MosquittoFor(t, peers.MosquittoOptions{})
	tg := targettest.Started(t, m.Target())

	sub, err := client.ConnectPaho(tg, client.ClientID("sub"))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	topic := client.Topic("smoke")
	if err := client.Wait(sub.Subscribe(topic, 1, nil), "subscribe"); err != nil {
		t.Fatal(err)
	}

	raw, err := client.Dial(tg)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	ack, err := raw.Connect(client.ConnectOptions{ClientID: client.ClientID("raw"), CleanSession: true}, 5*time.Second)
	if err != nil || ack.ReturnCode != packet.Accepted {
		t.Fatalf("raw CONNECT: %v %s", err, client.Describe(ack))
	}
	if err := raw.Publish(topic, []byte("hello"), 1, false, 42); err != nil {
		t.Fatal(err)
	}
	if err := raw.ExpectPuback(42, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	select {
	case msg := <-sub.Messages:
		if msg.Topic() != topic || string(msg.Payload()) != "hello" {
			t.Errorf("paho got %q on %q", msg.Payload(), msg.Topic())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("paho subscriber got nothing within 5s")
	}

	// A second CONNECT is a protocol violation (MQTT-3.1.0-2): the server closes.
	if err := raw.Send(client.ConnectOptions{ClientID: "again"}.Packet()); err != nil {
		t.Fatal(err)
	}
	if err := raw.ExpectClosed(5 * time.Second); err != nil {
		t.Error(err)
	}

	// Abort cuts the paho client's connection without DISCONNECT.
	if err := sub.Abort(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-sub.Lost:
	case <-time.After(5 * time.Second):
		t.Error("paho did not report the aborted connection as lost")
	}
}

func TestTCPTargetWithAuth(t *testing.T) {
	m := peers.MosquittoFor(t, peers.MosquittoOptions{Users: []peers.User{{Name: "alice", Password: "s3cret"}}})
	tg := targettest.Started(t, m.Target())
	if c := tg.Capabilities(); c.Anonymous || !c.RejectsBadPassword || c.Credentials == nil {
		t.Fatalf("capabilities of an auth target: %+v", c)
	}
	// Clients made by the harness present the target's credentials.
	c, err := client.ConnectPaho(tg, client.ClientID("auth"))
	if err != nil {
		t.Fatal(err)
	}
	c.Close()

	raw, err := client.Dial(tg)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	ack, err := raw.Connect(client.ConnectOptions{ClientID: client.ClientID("bad"), CleanSession: true,
		Username: "alice", Password: "wrong"}, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if ack.ReturnCode != packet.RefusedBadUsernamePassword && ack.ReturnCode != packet.RefusedNotAuthorized {
		t.Errorf("wrong password answered with %s, want code 4 or 5", client.Describe(ack))
	}

	// A target string with the wrong password fails at Start, once, clearly.
	bad, err := target.Parse(strings.Replace(m.Target(), "s3cret", "nope", 1))
	if err != nil {
		t.Fatal(err)
	}
	err = bad.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "refused the probe") {
		t.Errorf("Start with a wrong password: %v", err)
	}
}

func TestTCPTargetUnreachable(t *testing.T) {
	tg, err := target.Parse("tcp://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	err = tg.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("Start of an unreachable target: %v", err)
	}
}
