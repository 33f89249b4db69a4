package broker

import "sync"

// A task is a connection's work that needs a goroutine while it lasts:
// writing its outbox, or reading the packets of an event stream.
type task struct {
	c     *conn // nil tells an idle worker to return
	write bool
}

func (t task) run() {
	if t.write {
		t.c.writeOut()
	} else {
		t.c.readEvents()
	}
}

// workers run tasks, each on a goroutine of its own for as long as it
// lasts, so that only busy connections hold goroutines: a task never
// waits for another to end, and so a publisher held back by a congested
// subscriber cannot stop that subscriber's writer. A goroutine that ends
// a task waits for the next, up to maxIdle of them, since starting one
// allocates and steady traffic should not.
type workers struct {
	mu      sync.Mutex
	idle    *worker // a list through worker.idle
	nidle   int
	maxIdle int
	stopped bool
}

type worker struct {
	next chan task
	idle *worker // the next idle worker
}

// run runs t on an idle worker, or on a new one when none is idle. It
// never waits, and may be called with b.mu held.
func (w *workers) run(t task) {
	w.mu.Lock()
	if k := w.idle; k != nil {
		w.idle, k.idle = k.idle, nil
		w.nidle--
		w.mu.Unlock()
		k.next <- t // never blocks: an idle worker's channel is empty
		return
	}
	w.mu.Unlock()
	go w.loop(&worker{next: make(chan task, 1)}, t)
}

func (w *workers) loop(k *worker, t task) {
	for t.c != nil {
		t.run()
		w.mu.Lock()
		if w.stopped || w.nidle == w.maxIdle {
			w.mu.Unlock()
			return
		}
		w.idle, k.idle = k, w.idle
		w.nidle++
		w.mu.Unlock()
		t = <-k.next
	}
}

// stop ends the idle workers, and every other once its task is done.
func (w *workers) stop() {
	w.mu.Lock()
	w.stopped = true
	for k := w.idle; k != nil; {
		next := k.idle
		k.idle = nil
		k.next <- task{}
		k = next
	}
	w.idle, w.nidle = nil, 0
	w.mu.Unlock()
}

// maxIdleWorkers bounds the idle workers of a host broker: enough for the
// writers of a few hundred subscribers served at once without starting
// goroutines, few enough that their stacks stay small beside the tables.
const maxIdleWorkers = 256
