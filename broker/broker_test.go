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

// brokerGoroutines counts the goroutines running code of package broker.
func brokerGoroutines() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "gatomqtt/broker.(") {
			n++
		}
	}
	return n
}

// TestTwoGoroutinesPerConnection backs the count the package comment
// gives for memory outside StateBytes: the goroutine that calls ServeConn
// and the writer it starts.
func TestTwoGoroutinesPerConnection(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()})
	before := brokerGoroutines()
	const n = 5
	for i := range n {
		f := newFakeConn(true)
		go b.ServeConn(f)
		t.Cleanup(func() { f.Close() })
		f.feed(mustAppend(packet.Connect{ClientID: []byte{'c', '0' + byte(i)}, CleanSession: true}))
		f.waitFor(0, 1)
	}
	waitFor(t, func() bool { return brokerGoroutines()-before == 2*n })
	b.Close()
	waitFor(t, func() bool { return brokerGoroutines() == before })
}
