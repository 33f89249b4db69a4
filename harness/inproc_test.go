package harness_test

import (
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
)

func TestInprocTarget(t *testing.T) {
	tg := startedTarget(t, "inproc:pico")
	if _, ok := harness.Broker(tg); !ok {
		t.Fatal("Broker(inproc target) not available after Start")
	}

	// Anonymous clients are refused: the target requires InprocUser.
	raw, err := harness.Dial(tg)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	ack, err := raw.Connect(harness.ConnectOptions{ClientID: harness.ClientID("anon"), CleanSession: true}, 5*time.Second)
	if err != nil || ack.ReturnCode != packet.RefusedNotAuthorized {
		t.Fatalf("anonymous CONNECT: %v %s, want CONNACK 5", err, harness.Describe(ack))
	}

	// Harness clients present the credentials and see each other's messages.
	sub, err := harness.ConnectPaho(tg, harness.ClientID("sub"))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	topic := harness.Topic("inproc")
	if err := harness.Wait(sub.Subscribe(topic, 1, nil), "subscribe"); err != nil {
		t.Fatal(err)
	}
	pub, err := harness.ConnectPaho(tg, harness.ClientID("pub"))
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	if err := harness.Wait(pub.Publish(topic, 1, false, "hi"), "publish"); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-sub.Messages:
		if string(m.Payload()) != "hi" {
			t.Errorf("got %q", m.Payload())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no message within 5s")
	}
	st, ok := tg.Stats()
	if !ok || st.Sessions != 2 || st.BrokerBytes == 0 || st.Extra["messages_in"] != 1 {
		t.Errorf("Stats = %+v, %v; want 2 sessions, broker bytes, 1 message in", st, ok)
	}

	if err := tg.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, ok := tg.Stats(); ok {
		t.Error("Stats available after Stop")
	}
	if err := tg.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}
