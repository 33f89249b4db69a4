package broker_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

func TestPublishSubscribeQoS0And1(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()})
	sub := mustConnect(t, b, "sub", true)
	if got := sub.subscribe("a/+", 1); got != 1 {
		t.Fatalf("granted %d, want 1", got)
	}
	pub := mustConnect(t, b, "pub", true)

	pub.publish("a/b", "zero", 0, false)
	p := sub.expectPublish("a/b", "zero")
	if p.QoS != 0 || p.Retain || p.Dup {
		t.Errorf("QoS 0 delivery %+v", p)
	}

	pub.publish("a/c", "one", 1, false)
	p = sub.expectPublish("a/c", "one")
	if p.QoS != 1 || p.PacketID == 0 || p.Retain || p.Dup {
		t.Errorf("QoS 1 delivery %+v", p)
	}
	sub.ack(p)

	pub.publish("b/c", "other", 1, false)
	sub.expectNothing()

	st := b.Stats()
	if st.MessagesIn != 3 || st.MessagesOut != 2 || st.Sessions != 2 || st.Connections != 2 {
		t.Errorf("stats %+v", st)
	}
	sub.disconnect()
	pub.disconnect()
}

// brokerGoroutines counts the goroutines running code of package broker,
// and among them those that serve a connection: readers (in ServeConn, or
// a worker reading an event stream) and writers.
func brokerGoroutines() (all, readers, writers int) {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range strings.Split(string(buf), "\n\n") {
		if !strings.Contains(g, "gatomqtt/broker.(") {
			continue
		}
		all++
		switch {
		case strings.Contains(g, "broker.(*conn).readPackets"):
			readers++
		case strings.Contains(g, "broker.(*conn).writeOut"):
			writers++
		}
	}
	return all, readers, writers
}

// TestGoroutinesPerConnection backs the count the package comment gives
// for memory outside StateBytes: a connection served by ServeConn holds
// the goroutine that called it and, only while its outbox has bytes, a
// writer; one served by ServeEvents holds none while its client is
// silent. Idle workers are all that is left, and Close ends them.
func TestGoroutinesPerConnection(t *testing.T) {
	for _, events := range []bool{false, true} {
		t.Run(map[bool]string{false: "ServeConn", true: "ServeEvents"}[events], func(t *testing.T) {
			b, err := broker.New(broker.Config{Limits: smallLimits()})
			if err != nil {
				t.Fatal(err)
			}
			before, _, _ := brokerGoroutines()
			const n = 5
			for i := range n {
				f := newFakeConn(true)
				if events {
					f = newEventConn(true)
				}
				f.serve(b)
				t.Cleanup(func() { f.Close() })
				f.feed(mustAppend(packet.Connect{ClientID: []byte{'c', '0' + byte(i)}, CleanSession: true}))
				f.waitFor(0, 1)
			}
			want := n
			if events {
				want = 0
			}
			waitFor(t, func() bool {
				_, readers, writers := brokerGoroutines()
				return readers == want && writers == 0
			})
			all, _, _ := brokerGoroutines()
			if idle := all - before - want; idle > n {
				t.Errorf("%d idle workers for %d connections, want at most one each", idle, n)
			}
			b.Close() // other tests' goroutines may end meanwhile, hence <=
			waitFor(t, func() bool { all, _, _ := brokerGoroutines(); return all <= before })
		})
	}
}
