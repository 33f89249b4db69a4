package broker_test

import (
	"io"
	"sync"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// A fakeConn is an in-memory client for allocation tests and benchmarks:
// Read serves bytes the test feeds in, Write counts the packets the broker
// sends and, with autoAck, answers each QoS 1 PUBLISH with PUBACK. After
// construction it allocates nothing.
type fakeConn struct {
	mu      sync.Mutex
	cond    sync.Cond
	in      []byte // bytes waiting for Read
	out     []byte // bytes written, not yet a whole packet
	closed  bool
	autoAck bool
	pubs    int // PUBLISH packets received
	others  int // other packets received

	// With events, the fakeConn is an EventStream: Read says
	// ErrWouldBlock instead of waiting, and ec is told when bytes come.
	events bool
	armed  bool
	ec     broker.EventConn
	ended  chan error
}

// newEventConn is newFakeConn as an EventStream for ServeEvents.
func newEventConn(autoAck bool) *fakeConn {
	f := newFakeConn(autoAck)
	f.events, f.ended = true, make(chan error, 1)
	return f
}

// newTestConn is newEventConn when the tests run with -events, and
// newFakeConn otherwise.
func newTestConn(autoAck bool) *fakeConn {
	if *viaEvents {
		return newEventConn(autoAck)
	}
	return newFakeConn(autoAck)
}

// serve serves f on b, from events or by ServeConn on a goroutine.
func (f *fakeConn) serve(b *broker.Broker) {
	if !f.events {
		go b.ServeConn(f)
		return
	}
	if err := b.ServeEvents(f, ""); err != nil {
		f.ended <- err
	}
}

// notify tells a waiting broker that f has bytes or has ended; f.mu is
// held, and is unlocked while the broker is told.
func (f *fakeConn) notify() {
	if f.armed && (len(f.in) > 0 || f.closed) {
		f.armed = false
		f.mu.Unlock()
		f.ec.Readable()
		f.mu.Lock()
	}
}

func (f *fakeConn) WaitRead(ec broker.EventConn) error {
	f.mu.Lock()
	f.ec, f.armed = ec, true
	f.notify()
	f.mu.Unlock()
	return nil
}

func (f *fakeConn) Ended(err error) { f.ended <- err }

func newFakeConn(autoAck bool) *fakeConn {
	f := &fakeConn{in: make([]byte, 0, 1<<16), out: make([]byte, 0, 1<<17), autoAck: autoAck}
	f.cond.L = &f.mu
	return f
}

func (f *fakeConn) feed(b []byte) {
	f.mu.Lock()
	f.in = append(f.in, b...)
	f.notify()
	f.mu.Unlock()
	f.cond.Broadcast()
}

func (f *fakeConn) Read(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.events && len(f.in) == 0 && !f.closed {
		return 0, broker.ErrWouldBlock
	}
	for len(f.in) == 0 && !f.closed {
		f.cond.Wait()
	}
	if len(f.in) == 0 {
		return 0, io.EOF
	}
	n := copy(p, f.in)
	f.in = f.in[:copy(f.in, f.in[n:])]
	return n, nil
}

func (f *fakeConn) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return 0, io.ErrClosedPipe
	}
	f.out = append(f.out, p...)
	for {
		h, err := packet.ParseHeader(f.out, 0)
		if err != nil || len(f.out) < h.Size+h.Remaining {
			break
		}
		if h.Type == packet.PUBLISH {
			f.pubs++
			if qos := h.Flags >> 1 & 3; qos > 0 && f.autoAck {
				body := f.out[h.Size:]
				at := 2 + (int(body[0])<<8 | int(body[1]))
				f.in = append(f.in, byte(packet.PUBACK)<<4, 2, body[at], body[at+1])
			}
		} else {
			f.others++
		}
		f.out = f.out[:copy(f.out, f.out[h.Size+h.Remaining:])]
	}
	f.notify()
	f.cond.Broadcast()
	return len(p), nil
}

func (f *fakeConn) Close() error {
	f.mu.Lock()
	f.closed = true
	f.notify()
	f.mu.Unlock()
	f.cond.Broadcast()
	return nil
}

// waitFor blocks until the connection has received pubs PUBLISH packets
// and others other packets.
func (f *fakeConn) waitFor(pubs, others int) {
	f.mu.Lock()
	for (f.pubs < pubs || f.others < others) && !f.closed {
		f.cond.Wait()
	}
	f.mu.Unlock()
}

// publishes returns the number of PUBLISH packets received.
func (f *fakeConn) publishes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pubs
}

func mustAppend(ps ...packet.Packet) []byte {
	var b []byte
	for _, p := range ps {
		var err error
		if b, err = p.Append(b); err != nil {
			panic(err)
		}
	}
	return b
}
