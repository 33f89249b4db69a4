package broker

import (
	"io"
	"time"
)

// The watchdog ends connections that miss a deadline: the CONNECT's
// (ConnectTimeout), the keep alive's, or the flush's of a connection
// ending (flushTimeout). Each connection's next deadline, conn.dogAt, is
// kept in a binary heap by time with one Timer armed for the earliest, so
// that a connection slot holds two integers rather than a Timer of its
// own: a host holds as many connections as it has clients, and a Timer is
// a heap object of over a hundred bytes, which under TinyGo allocates
// each time it is reset. Guarded by b.mu.
type watchdog struct {
	heap  []int32 // connection slots, the earliest deadline first
	timer Timer   // made on first use
	at    int64   // when timer fires, ns since the broker's epoch; 0 when stopped
}

// dogBatch is how many connections fire handles before it unlocks to
// close their streams, which may block.
const dogBatch = 16

// setDog makes c's deadline d from now. b.mu is held.
func (c *conn) setDog(d time.Duration) {
	b := c.b
	c.dogAt = b.now() + int64(d)
	w := &b.dog
	if c.dogPos < 0 {
		c.dogPos = int32(len(w.heap))
		w.heap = append(w.heap, c.idx)
	}
	w.fix(b, int(c.dogPos))
	w.arm(b)
}

// stopDog takes c's deadline away. b.mu is held.
func (c *conn) stopDog() {
	if c.dogPos < 0 {
		return
	}
	b, w := c.b, &c.b.dog
	i, last := int(c.dogPos), len(w.heap)-1
	w.swap(b, i, last)
	w.heap = w.heap[:last]
	c.dogPos = -1
	if i < last {
		w.fix(b, i)
	}
	w.arm(b)
}

// arm sets the timer for the earliest deadline, unless it is set for it
// already. b.mu is held.
func (w *watchdog) arm(b *Broker) {
	if len(w.heap) == 0 {
		if w.at != 0 {
			w.timer.Stop()
			w.at = 0
		}
		return
	}
	at := b.conns[w.heap[0]].dogAt
	if at == w.at {
		return
	}
	w.at = at
	d := time.Duration(at - b.now())
	if w.timer == nil {
		w.timer = b.clock.AfterFunc(d, b.fireDogs)
	} else {
		w.timer.Reset(d)
	}
}

// fireDogs checks the connections whose deadline has come.
func (b *Broker) fireDogs() {
	var closers [dogBatch]io.Closer
	for {
		b.mu.Lock()
		b.dog.at = 0
		now := b.now()
		n := 0
		for n < dogBatch && len(b.dog.heap) > 0 {
			c := &b.conns[b.dog.heap[0]]
			if c.dogAt > now {
				break
			}
			c.stopDog()
			if rw := c.deadline(now); rw != nil {
				closers[n] = rw
				n++
			}
		}
		b.dog.arm(b)
		b.mu.Unlock()
		for i := range closers[:n] {
			closers[i].Close()
			closers[i] = nil
		}
		if n < dogBatch {
			return
		}
	}
}

// deadline acts on c's deadline, which has come: it returns the stream
// to close, or sets the next deadline when the one that came has moved
// (a keep alive renewed by packets since). b.mu is held.
func (c *conn) deadline(now int64) io.Closer {
	b := c.b
	if c.active && c.flushing && now >= c.flushUntil {
		// The client has not taken what was left for it in time.
		c.flushing = false
		return c.rw
	}
	if !c.active || c.closing {
		return nil
	}
	var at int64
	var why error
	switch {
	case !c.connected:
		at, why = c.started+int64(b.lim.ConnectTimeout), ErrConnectTimeout
	case c.keepAlive > 0:
		at, why = c.lastRead.Load()+int64(c.keepAlive), ErrKeepAliveTimeout
	default:
		return nil
	}
	if now < at {
		c.setDog(time.Duration(at - now))
		return nil
	}
	return c.markClosing(why)
}

// fix moves heap entry i up or down to its place.
func (w *watchdog) fix(b *Broker, i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if w.dogAt(b, parent) <= w.dogAt(b, i) {
			break
		}
		w.swap(b, i, parent)
		i = parent
	}
	for {
		least, l, r := i, 2*i+1, 2*i+2
		if l < len(w.heap) && w.dogAt(b, l) < w.dogAt(b, least) {
			least = l
		}
		if r < len(w.heap) && w.dogAt(b, r) < w.dogAt(b, least) {
			least = r
		}
		if least == i {
			return
		}
		w.swap(b, i, least)
		i = least
	}
}

func (w *watchdog) dogAt(b *Broker, i int) int64 { return b.conns[w.heap[i]].dogAt }

func (w *watchdog) swap(b *Broker, i, j int) {
	w.heap[i], w.heap[j] = w.heap[j], w.heap[i]
	b.conns[w.heap[i]].dogPos = int32(i)
	b.conns[w.heap[j]].dogPos = int32(j)
}
