package broker_test

import (
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// A lingerConn is an event stream that lingers (broker.Lingerer) until
// the test lets it go, so that the test can look at the broker meanwhile.
type lingerConn struct {
	*fakeConn
	lingering chan struct{} // a Linger has begun
	release   chan bool     // what that Linger reports
}

func (l *lingerConn) Linger() bool {
	l.lingering <- struct{}{}
	return <-l.release
}

// TestLingeringReaderHoldsNothing: a connection waiting in Linger for its
// next bytes holds no read buffer or decoder, and takes them again when
// bytes come; many connections linger at once while clients come and go.
func TestLingeringReaderHoldsNothing(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()})
	f := &lingerConn{newEventConn(false), make(chan struct{}), make(chan bool)}
	// The CONNECT is there before the reader starts, so that its first
	// Linger is the one after the CONNECT.
	f.feed(mustAppend(packet.Connect{ClientID: []byte("lingerer"), CleanSession: true}))
	if err := b.ServeEvents(f, ""); err != nil {
		t.Fatal(err)
	}
	waitLinger := func(step string) {
		t.Helper()
		select {
		case <-f.lingering:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: the reader did not linger within 5 s", step)
		}
		if n := b.Stats().ReadersLent; n != 0 {
			t.Errorf("%s: %d readers lent while the only connection lingers, want 0", step, n)
		}
	}
	waitLinger("after CONNECT")
	f.waitFor(0, 1) // CONNACK

	f.feed(mustAppend(packet.Pingreq{}))
	f.release <- true
	waitLinger("after PINGREQ")
	f.waitFor(0, 2) // PINGRESP

	f.release <- false // the reader parks
	deadline := time.Now().Add(5 * time.Second)
	for st := b.Stats(); st.ReadersLent != 0 || st.OutboxesLent != 0; st = b.Stats() {
		if time.Now().After(deadline) {
			t.Fatalf("parked: %d readers and %d outboxes lent, want none", st.ReadersLent, st.OutboxesLent)
		}
		time.Sleep(time.Millisecond)
	}
	f.Close()
	if err := <-f.ended; err == nil {
		t.Error("Ended(nil) for a stream closed by its client, want its error")
	}
}
