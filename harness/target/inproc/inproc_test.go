package inproc_test

import (
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/fixtures"
	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target/inproc"
	"github.com/gatomqtt/gatomqtt/harness/target/targettest"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

func TestInprocTarget(t *testing.T) {
	tg := targettest.Started(t, "inproc:pico")
	if _, ok := inproc.Broker(tg); !ok {
		t.Fatal("Broker(inproc target) not available after Start")
	}

	// Anonymous clients are refused: the target requires User.
	raw, err := client.Dial(tg)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	ack, err := raw.Connect(client.ConnectOptions{ClientID: client.ClientID("anon"), CleanSession: true}, 5*time.Second)
	if err != nil || ack.ReturnCode != packet.RefusedNotAuthorized {
		t.Fatalf("anonymous CONNECT: %v %s, want CONNACK 5", err, client.Describe(ack))
	}

	// Harness clients present the credentials and see each other's messages.
	sub, err := client.ConnectPaho(tg, client.ClientID("sub"))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	topic := client.Topic("inproc")
	if err := client.Wait(sub.Subscribe(topic, 1, nil), "subscribe"); err != nil {
		t.Fatal(err)
	}
	pub, err := client.ConnectPaho(tg, client.ClientID("pub"))
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	if err := client.Wait(pub.Publish(topic, 1, false, "hi"), "publish"); err != nil {
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

func TestClearSessionAndRetained(t *testing.T) {
	tg := targettest.Started(t, "inproc:pico")
	creds := tg.Capabilities().Credentials
	dial := func(o client.ConnectOptions) *client.RawClient {
		t.Helper()
		c, err := client.Dial(tg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		o.Username, o.Password = creds.Name, creds.Password
		ack, err := c.Connect(o, 5*time.Second)
		if err != nil || ack.ReturnCode != packet.Accepted {
			t.Fatalf("CONNECT: %v %s", err, client.Describe(ack))
		}
		return c
	}
	topic := client.Topic("kept")
	id := client.ClientID("persist")

	c := dial(client.ConnectOptions{ClientID: id})
	if err := c.Publish(topic, []byte("r"), 1, true, 1); err != nil {
		t.Fatal(err)
	}
	if err := c.ExpectPuback(1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := c.PersistentSessions(); len(got) != 1 || got[0] != id {
		t.Errorf("PersistentSessions = %q, want [%s]", got, id)
	}
	if got := c.RetainedTopics(); len(got) != 1 || got[0] != topic {
		t.Errorf("RetainedTopics = %q, want [%s]", got, topic)
	}
	c.Close()
	if st, _ := tg.Stats(); st.Retained != 1 {
		t.Fatalf("retained before clearing = %d, want 1", st.Retained)
	}

	if err := client.ClearRetained(tg, c.RetainedTopics()...); err != nil {
		t.Fatal(err)
	}
	if err := client.ClearSession(tg, id); err != nil {
		t.Fatal(err)
	}
	c2 := dial(client.ConnectOptions{ClientID: client.ClientID("check"), CleanSession: true})
	if _, err := c2.Subscribe(1, 1, 5*time.Second, topic); err != nil {
		t.Fatal(err)
	}
	if err := c2.ExpectNothing(200 * time.Millisecond); err != nil {
		t.Errorf("retained message still delivered after ClearRetained: %v", err)
	}
	// The session is gone: a clean-session-0 CONNECT finds none.
	c3, err := client.Dial(tg)
	if err != nil {
		t.Fatal(err)
	}
	defer c3.Close()
	got, err := c3.Connect(client.ConnectOptions{ClientID: id, Username: creds.Name, Password: creds.Password}, 5*time.Second)
	if err != nil || got.SessionPresent {
		t.Errorf("after ClearSession: %v %s, want session present 0", err, client.Describe(got))
	}
}

// TestDeniedTopic checks the inproc target's denied prefix: a
// PUBLISH there is acknowledged, dropped and counted, while subscribing
// there is allowed.
func TestDeniedTopic(t *testing.T) {
	for _, name := range []string{"inproc:pico", "inproc:pico?anonymous=true"} {
		t.Run(name, func(t *testing.T) {
			tg := targettest.Started(t, name)
			if got := tg.Capabilities().DeniedTopic; got != fixtures.DeniedTopic {
				t.Fatalf("DeniedTopic = %q, want %q", got, fixtures.DeniedTopic)
			}
			creds := tg.Capabilities().Credentials
			connect := func(id string) *client.RawClient {
				t.Helper()
				c, err := client.Dial(tg)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { c.Close() })
				o := client.ConnectOptions{ClientID: client.ClientID(id), CleanSession: true}
				if creds != nil {
					o.Username, o.Password = creds.Name, creds.Password
				}
				if ack, err := c.Connect(o, 5*time.Second); err != nil || ack.ReturnCode != packet.Accepted {
					t.Fatalf("CONNECT: %v %s", err, client.Describe(ack))
				}
				return c
			}
			sub := connect("sub")
			topic := fixtures.DeniedTopic + "/" + client.RunID + "/x"
			ack, err := sub.Subscribe(1, 1, 5*time.Second, topic)
			if err != nil || ack.ReturnCodes[0] != 1 {
				t.Fatalf("SUBSCRIBE to the denied prefix: %v %s, want granted", err, client.Describe(ack))
			}
			pub := connect("pub")
			if err := pub.Publish(topic, []byte("denied"), 1, false, 7); err != nil {
				t.Fatal(err)
			}
			if err := pub.ExpectPuback(7, 5*time.Second); err != nil {
				t.Fatal(err)
			}
			// The PUBACK came after routing: had the message gone out, it
			// would be on its way to sub before the PINGRESP.
			if err := sub.Send(&packet.Pingreq{}); err != nil {
				t.Fatal(err)
			}
			if err := sub.ExpectPingresp(5 * time.Second); err != nil {
				t.Fatalf("sub: %v", err)
			}
			st, _ := tg.Stats()
			if st.Extra["dropped_denied"] != 1 || st.Extra["messages_in"] != 0 {
				t.Errorf("dropped_denied %d, messages_in %d; want 1 and 0", st.Extra["dropped_denied"], st.Extra["messages_in"])
			}
		})
	}
}
