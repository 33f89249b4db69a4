package broker

import (
	"sync"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// A Message is a delivery to a Handler. Topic and Payload alias the
// broker's store and are valid only during the call; copy them to keep them.
type Message struct {
	Topic   []byte
	Payload []byte
	QoS     packet.QoS // min(published QoS, granted QoS)
	Retain  bool       // set on retained messages replayed to a new subscription
}

// A Handler receives the messages of an in-process subscription. Handlers
// run one at a time, in delivery order, on a goroutine of the broker; they
// may call Publish, Subscribe and Unsubscribe, but not Close. A Handler
// that blocks holds up the in-process client's queue (MaxQueued), beyond
// which its messages are dropped like any slow consumer's.
type Handler func(m Message)

// appClient is the in-process client: the last session of the table, with
// no connection; its deliveries wait in the session's queue for a
// dispatcher goroutine that calls the handlers.
type appClient struct {
	b        *Broker
	s        *session
	handlers []Handler // by subscription slot, guarded by b.mu
	calls    []Handler // the dispatcher's scratch
	topic    []byte    // Publish's copy of its topic, guarded by b.mu
	sig      signals   // sigWake and sigQuit to the dispatcher, sigDone from it
	started  bool      // guarded by b.mu
	stopOnce sync.Once
}

// init sets a up in the last session of b, with handlers for
// MaxSubscriptions and the dispatcher's scratch taken from h, twice that
// long, and a topic buffer of MaxTopicLength from t.
func (a *appClient) init(b *Broker, h []Handler, t *tables) {
	a.b = b
	a.s = &b.sessions[len(b.sessions)-1]
	n := b.lim.MaxSubscriptions
	a.handlers = h[:n:n]
	a.calls = h[n : n : 2*n]
	a.topic = t.take(b.lim.MaxTopicLength)
	a.sig.init()
}

func (a *appClient) kick() { a.sig.raise(sigWake) }

func (a *appClient) stop() {
	a.stopOnce.Do(func() {
		a.sig.raise(sigQuit)
		a.b.mu.Lock()
		started := a.started
		a.b.mu.Unlock()
		if started {
			a.sig.wait(sigDone)
		}
	})
}

// Subscribe subscribes the in-process client to filter at qos, calling h
// for each message; subscribing again to the same filter replaces the QoS
// and the handler. Retained messages matching filter are delivered to h
// first, with Retain set. Overlapping subscriptions get one copy of a
// message per matching handler. Subscriptions count against
// MaxSubscriptions like a network session's.
func (b *Broker) Subscribe(filter string, qos packet.QoS, h Handler) error {
	if h == nil {
		return ErrNilHandler
	}
	if qos > 2 {
		return ErrInvalidQoS
	}
	f := []byte(filter)
	if err := packet.ValidTopicFilter(f); err != nil {
		return err
	}
	if len(f) > b.lim.MaxTopicLength {
		return ErrTooLarge
	}
	a := &b.app
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	slot := b.subs.add(a.s.idx, f, qos)
	switch slot {
	case tooManyLevels:
		return ErrTooLarge
	case noSlot, noNodes:
		return ErrNoSubscription
	}
	a.handlers[slot] = h
	if !a.started {
		a.started = true
		go a.dispatch()
	}
	b.replayRetained(a.s, f, qos, int16(slot))
	return nil
}

// Unsubscribe removes the in-process subscription to filter.
func (b *Broker) Unsubscribe(filter string) error {
	a := &b.app
	b.mu.Lock()
	defer b.mu.Unlock()
	k := b.subs.find(a.s.idx, []byte(filter))
	if k < 0 {
		return ErrNotSubscribed
	}
	b.subs.remove(a.s.idx, []byte(filter))
	a.handlers[k] = nil
	return nil
}

// Publish routes a message from the in-process client as if a client had
// published it: to every matching subscription, network or in-process,
// and into the retained store when retain is set. Delivery to network
// clients is asynchronous; Publish returns once the message is routed.
// It does not allocate.
func (b *Broker) Publish(topic string, payload []byte, qos packet.QoS, retain bool) error {
	if qos > 2 {
		return ErrInvalidQoS
	}
	if len(topic) > b.lim.MaxTopicLength || len(payload) > b.lim.MaxPayloadSize {
		return ErrTooLarge
	}
	a := &b.app
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	a.topic = append(a.topic[:0], topic...)
	if err := packet.ValidTopicName(a.topic); err != nil {
		return err
	}
	b.stats.messagesIn++
	b.route(a.topic, payload, qos, retain) // the in-process client is never held back
	return nil
}

// dispatch calls the handlers for the in-process client's deliveries.
func (a *appClient) dispatch() {
	b := a.b
	defer a.sig.raise(sigDone)
	for {
		if a.sig.wait(sigWake|sigQuit)&sigQuit != 0 {
			return
		}
		for {
			b.mu.Lock()
			s := a.s
			if s.qLen == 0 {
				b.mu.Unlock()
				break
			}
			q := s.popQueue()
			m := &b.store.msgs[q.msg]
			calls := a.calls[:0]
			if q.slot >= 0 {
				if h := a.handlers[q.slot]; h != nil {
					calls = append(calls, h)
				}
			} else {
				for k := range b.subs.perSession {
					if f := b.subs.filter(b.subs.at(s.idx, k)); len(f) > 0 && a.handlers[k] != nil && match(f, m.topic) {
						calls = append(calls, a.handlers[k])
					}
				}
			}
			b.mu.Unlock()
			// The store slot stays referenced, so its bytes hold still
			// while the handlers read them without the lock.
			msg := Message{Topic: m.topic, Payload: m.payload, QoS: q.qos, Retain: q.retain}
			for _, h := range calls {
				h(msg)
			}
			clear(calls)
			b.mu.Lock()
			b.store.unref(q.msg)
			b.stats.messagesOut++
			b.noteDrain(s)
			b.mu.Unlock()
		}
	}
}
