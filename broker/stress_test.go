package broker_test

import (
	"strconv"
	"sync"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// TestConcurrentClients runs publishers, subscribers, the in-process
// client and session takeovers at once; run it with -race. Every QoS 1
// message must reach every reading subscriber once, in order per
// publisher, and the store must be empty at the end.
func TestConcurrentClients(t *testing.T) {
	lim := smallLimits()
	lim.MaxSessions = 16
	lim.MaxQueued = 64
	b := newBroker(t, broker.Config{Limits: lim})
	const pubs, subs, msgs = 4, 3, 200

	var subClients []*client
	for i := range subs {
		c := mustConnect(t, b, "sub"+strconv.Itoa(i), true)
		c.subscribeMany(packet.Filter{Topic: []byte("s/#"), QoS: 1}, packet.Filter{Topic: []byte("s/+/x"), QoS: 0})
		subClients = append(subClients, c)
	}
	var appGot sync.Map
	if err := b.Subscribe("s/#", 1, func(m broker.Message) { appGot.Store(string(m.Payload), true) }); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	for i := range pubs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := mustConnect(t, b, "pub"+strconv.Itoa(i), true)
			for j := range msgs {
				c.publish("s/"+strconv.Itoa(i)+"/x", strconv.Itoa(i)+":"+strconv.Itoa(j), 1, false)
			}
			c.disconnect()
		}()
	}
	// Takeovers while messages fly, by a client that never acknowledges:
	// it may lose messages as a stuck consumer, but must not hold up the
	// others for long.
	wg.Add(1)
	go func() {
		defer wg.Done()
		var c *client
		for k := range 20 {
			c = dial(t, b)
			if ack := c.connect("flaky", k%2 == 0); ack.ReturnCode != packet.Accepted {
				t.Errorf("CONNACK %d", ack.ReturnCode)
				return
			}
			c.send(packet.NewSubscribe(1, packet.Filter{Topic: []byte("s/#"), QoS: 1}))
		}
		c.send(packet.Disconnect{})
		c = dial(t, b)
		c.connect("flaky", true) // discards the session
		c.disconnect()
	}()
	// The subscribers acknowledge as they read.
	for _, c := range subClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			next := make([]int, pubs)
			for n := 0; n < pubs*msgs; {
				p := recvAs[*packet.Publish](c)
				if p.QoS != 1 {
					t.Errorf("delivered at QoS %d, want the highest granted, 1", p.QoS)
				}
				c.send(packet.Puback{PacketID: p.PacketID})
				parts := string(p.Payload)
				i, _ := strconv.Atoi(parts[:1])
				j, _ := strconv.Atoi(parts[2:])
				if j != next[i] {
					t.Errorf("from publisher %d: message %d, want %d", i, j, next[i])
				}
				next[i] = j + 1
				n++
			}
		}()
	}
	wg.Wait()
	for _, c := range subClients {
		c.expectNothing()
	}
	waitFor(t, func() bool {
		n := 0
		appGot.Range(func(any, any) bool { n++; return true })
		return n == pubs*msgs
	})
	waitFor(t, func() bool { return b.Stats().Connections == subs })
	st := b.Stats()
	if st.StoredMessages != 0 || st.Sessions != subs {
		t.Errorf("%d messages stored, %d sessions at the end; want 0 and %d", st.StoredMessages, st.Sessions, subs)
	}
	t.Logf("%+v", st)
}
