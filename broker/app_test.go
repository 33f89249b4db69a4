package broker_test

import (
	"errors"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// received collects in-process deliveries as owned copies.
type received struct {
	ch chan broker.Message
}

func newReceived() *received { return &received{ch: make(chan broker.Message, 64)} }

func (r *received) handle(m broker.Message) {
	m.Topic = append([]byte(nil), m.Topic...)
	m.Payload = append([]byte(nil), m.Payload...)
	r.ch <- m
}

func (r *received) next(t *testing.T) broker.Message {
	t.Helper()
	select {
	case m := <-r.ch:
		return m
	case <-timeAfterWait():
		t.Fatalf("no in-process delivery within %v", wait)
	}
	return broker.Message{}
}

func TestInProcessClient(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()})
	if err := b.Publish("kept", []byte("retained"), 1, true); err != nil {
		t.Fatal(err)
	}
	r := newReceived()
	if err := b.Subscribe("kept", 1, r.handle); err != nil {
		t.Fatal(err)
	}
	if m := r.next(t); string(m.Payload) != "retained" || !m.Retain || m.QoS != 1 {
		t.Fatalf("replay %+v", m)
	}
	if err := b.Subscribe("net/+", 2, r.handle); err != nil {
		t.Fatal(err)
	}

	// From a network client to the in-process client.
	c := mustConnect(t, b, "c", true)
	c.publish("net/x", "from net", 1, false)
	if m := r.next(t); string(m.Topic) != "net/x" || string(m.Payload) != "from net" || m.QoS != 1 || m.Retain {
		t.Fatalf("delivery %+v", m)
	}

	// From the in-process client to a network client, and to itself.
	c.subscribe("app/#", 1)
	if err := b.Subscribe("app/#", 0, r.handle); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish("app/y", []byte("from app"), 1, false); err != nil {
		t.Fatal(err)
	}
	c.ack(c.expectPublish("app/y", "from app"))
	if m := r.next(t); string(m.Payload) != "from app" || m.QoS != 0 {
		t.Fatalf("self delivery %+v", m)
	}

	if err := b.Unsubscribe("app/#"); err != nil {
		t.Fatal(err)
	}
	if err := b.Unsubscribe("app/#"); !errors.Is(err, broker.ErrNotSubscribed) {
		t.Fatalf("second Unsubscribe: %v", err)
	}
	if st := b.Stats(); st.Sessions != 1 {
		t.Errorf("Sessions = %d; the in-process client is not counted", st.Sessions)
	}
}

func TestInProcessHandlerMayPublish(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()})
	r := newReceived()
	if err := b.Subscribe("ping", 0, func(m broker.Message) {
		if err := b.Publish("pong", m.Payload, 0, false); err != nil {
			t.Error(err)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := b.Subscribe("pong", 0, r.handle); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish("ping", []byte("x"), 0, false); err != nil {
		t.Fatal(err)
	}
	if m := r.next(t); string(m.Topic) != "pong" || string(m.Payload) != "x" {
		t.Fatalf("got %+v", m)
	}
}

func TestInProcessErrors(t *testing.T) {
	b := newBroker(t, broker.Config{Limits: smallLimits()})
	h := func(broker.Message) {}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"publish QoS 3", b.Publish("t", nil, 3, false), broker.ErrInvalidQoS},
		{"publish wildcard", b.Publish("t/+", nil, 0, false), packet.ErrWildcardInTopic},
		{"publish empty topic", b.Publish("", nil, 0, false), packet.ErrEmptyTopic},
		{"publish payload too large", b.Publish("t", make([]byte, 257), 0, false), broker.ErrTooLarge},
		{"subscribe bad filter", b.Subscribe("a/#/b", 0, h), packet.ErrInvalidFilter},
		{"subscribe nil handler", b.Subscribe("a", 0, nil), broker.ErrNilHandler},
		{"subscribe QoS 3", b.Subscribe("a", 3, h), broker.ErrInvalidQoS},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, tt.err, tt.want)
		}
	}
	for _, f := range []string{"1", "2", "3", "4"} {
		if err := b.Subscribe(f, 0, h); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Subscribe("5", 0, h); !errors.Is(err, broker.ErrNoSubscription) {
		t.Errorf("fifth subscription: %v", err)
	}
	b.Close()
	if err := b.Publish("t", nil, 0, false); !errors.Is(err, broker.ErrClosed) {
		t.Errorf("Publish after Close: %v", err)
	}
}
