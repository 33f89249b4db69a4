package listen

import (
	"context"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
)

// A rawStream is a TCP connection of the Epoll model: a non-blocking
// socket descriptor accepted by the listen package itself and waited for
// in the epoller's set, without the net.TCPConn, poll descriptor and
// addresses the net package would make for it (about 1.1 KB a connection,
// half of it outside the Go heap, which the runtime keeps for reuse; see
// docs/benchmarks.md, "Idle sessions"). The broker's reader reads and its
// writer writes the socket directly; a writer whose socket is full, and a
// reader that lingers, wait for the epoller's word.
type rawStream struct {
	ep *epoller
	// refs counts the system calls using fd, with closedBit once the
	// stream is closed: the descriptor is closed once it is closed and
	// unused, by Close or by the last done, so that its number is never
	// reused under a read or write.
	refs atomic.Uint64
	fd   int32
	id   int32 // tells the streams of one descriptor number apart

	// The readiness of each direction (see readiness), and who waits.
	rd, wr        readiness
	ec            broker.EventConn // for an armed rd, set before arming
	lingering     atomic.Pointer[wakeup]
	writerWaiting atomic.Pointer[wakeup]
}

const closedBit = 1 << 63

// use reports whether the descriptor may be used, counting the use until
// done is called.
func (s *rawStream) use() bool {
	for {
		r := s.refs.Load()
		if r&closedBit != 0 {
			return false
		}
		if s.refs.CompareAndSwap(r, r+1) {
			return true
		}
	}
}

// done ends a use, closing the descriptor if it was the last of a closed
// stream.
func (s *rawStream) done() {
	if s.refs.Add(^uint64(0)) == closedBit {
		s.destroy()
	}
}

// destroy takes the socket out of the epoller's set and closes it, once.
func (s *rawStream) destroy() {
	s.ep.forget(s)
	syscall.Close(int(s.fd))
}

// readiness is what the epoller has said of one direction of a socket
// that nobody has taken yet.
type readiness struct{ atomic.Int32 }

const (
	idle    = iota // nothing said since the last read or write
	ready          // the socket became ready; the next wait returns at once
	armed          // the broker waits (WaitRead): call ec.Readable
	waiting        // a goroutine waits on its wakeup
)

// A wakeup is how a waiting goroutine is woken: one token, and a timer
// for a wait with a bound. Pooled, so that a stream holds one only while
// it waits.
type wakeup struct {
	ch chan struct{}
	t  *time.Timer
}

var wakeups = sync.Pool{New: func() any {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &wakeup{ch: make(chan struct{}, 1), t: t}
}}

// tell records that the socket is ready in direction r, waking whoever
// waits on it.
func (s *rawStream) tell(r *readiness, w *atomic.Pointer[wakeup]) {
	for {
		switch st := r.Load(); st {
		case idle:
			if r.CompareAndSwap(idle, ready) {
				return
			}
		case ready:
			return
		case armed:
			if r.CompareAndSwap(armed, idle) {
				s.ec.Readable()
				return
			}
		case waiting:
			if r.CompareAndSwap(waiting, idle) {
				w.Load().ch <- struct{}{}
				return
			}
		}
	}
}

// wait waits in direction r until the socket is ready, or for at most d
// when d > 0, and reports whether it became ready.
func wait(r *readiness, w *atomic.Pointer[wakeup], d time.Duration) bool {
	if r.CompareAndSwap(ready, idle) {
		return true
	}
	u := wakeups.Get().(*wakeup)
	w.Store(u)
	defer func() {
		w.Store(nil) // so that an idle stream keeps no wakeup alive
		wakeups.Put(u)
	}()
	if !r.CompareAndSwap(idle, waiting) {
		r.Store(idle) // it was ready: nobody else changes it meanwhile
		return true
	}
	if d <= 0 {
		<-u.ch
		return true
	}
	u.t.Reset(d)
	select {
	case <-u.ch:
		u.t.Stop()
		return true
	case <-u.t.C:
		if r.CompareAndSwap(waiting, idle) {
			return false
		}
		<-u.ch // being woken: take the token before the wakeup is reused
		return true
	}
}

// Linger waits up to lingerTime for bytes.
func (s *rawStream) Linger() bool { return wait(&s.rd, &s.lingering, lingerTime) }

// lingerTime is how long a stream that has just been read waits for more
// on the broker's reader before it is parked: long enough for the next
// packets of a client that is sending, short enough that a silent one
// soon holds no goroutine.
const lingerTime = 20 * time.Millisecond

// WaitRead has the epoller tell ec when the socket has bytes, at once if
// it has said so already.
func (s *rawStream) WaitRead(ec broker.EventConn) error {
	s.ec = ec
	for {
		if s.rd.CompareAndSwap(idle, armed) {
			return nil
		}
		if s.rd.CompareAndSwap(ready, idle) {
			ec.Readable()
			return nil
		}
	}
}

// Read reads what the socket holds now, and says broker.ErrWouldBlock
// when it holds nothing.
func (s *rawStream) Read(p []byte) (int, error) {
	s.rd.CompareAndSwap(ready, idle) // this read takes what was said
	for {
		if !s.use() {
			return 0, s.opError("read", net.ErrClosed)
		}
		n, err := syscall.Read(int(s.fd), p)
		s.done()
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return 0, broker.ErrWouldBlock
		case err != nil:
			return 0, s.opError("read", os.NewSyscallError("read", err))
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// Write writes all of p, waiting for the epoller's word while the socket
// is full.
func (s *rawStream) Write(p []byte) (int, error) {
	wrote := 0
	for wrote < len(p) {
		s.wr.CompareAndSwap(ready, idle)
		if !s.use() {
			return wrote, s.opError("write", net.ErrClosed)
		}
		n, err := syscall.Write(int(s.fd), p[wrote:])
		s.done()
		if n > 0 {
			wrote += n
		}
		switch {
		case err == syscall.EINTR:
		case err == syscall.EAGAIN:
			wait(&s.wr, &s.writerWaiting, 0)
		case err != nil:
			return wrote, s.opError("write", os.NewSyscallError("write", err))
		}
	}
	return wrote, nil
}

func (s *rawStream) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Err: err}
}

// Close closes the socket, once no read or write uses it, and wakes
// whoever waits on it: a closed socket gives the epoller no event.
func (s *rawStream) Close() error {
	switch r := s.refs.Or(closedBit); {
	case r&closedBit != 0:
		return s.opError("close", net.ErrClosed)
	case r == 0:
		s.destroy()
	}
	s.tell(&s.rd, &s.lingering)
	s.tell(&s.wr, &s.writerWaiting)
	return nil
}

func (s *rawStream) Ended(error) { s.ep.srv.wg.Done() }

// A rawAccepter accepts the connections of a TCP listener as descriptors.
// The listener's socket is in the epoller's set too, so that the
// accepting goroutine waits for it as a writer waits for its socket; it
// is used only inside rc.Control, which keeps the net package from
// closing it meanwhile.
type rawAccepter struct {
	srv   *server
	rc    syscall.RawConn
	ctx   context.Context
	ready rawStream // the listener's readiness: rd and lingering only

	// What acceptFd, made once as acceptFn, hands back.
	acceptFn func(fd uintptr)
	fd       int
	sa       syscall.Sockaddr
	err      error
}

// newRawAccepter returns the accepter of tl, or an error when its socket
// cannot be watched.
func newRawAccepter(ctx context.Context, srv *server, tl *net.TCPListener) (*rawAccepter, error) {
	rc, err := tl.SyscallConn()
	if err != nil {
		return nil, err
	}
	a := &rawAccepter{srv: srv, rc: rc, ctx: ctx}
	a.acceptFn = a.acceptFd
	var addErr error
	if err := rc.Control(func(fd uintptr) {
		a.ready.fd = int32(fd)
		addErr = srv.ep.add(&a.ready)
	}); err != nil {
		return nil, err
	}
	if addErr != nil {
		return nil, addErr
	}
	// Wake the accepting goroutine when ctx ends; it then sees ctx done.
	context.AfterFunc(ctx, func() { a.ready.tell(&a.ready.rd, &a.ready.lingering) })
	return a, nil
}

func (a *rawAccepter) acceptFd(fd uintptr) {
	for {
		a.fd, a.sa, a.err = syscall.Accept4(int(fd), syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
		switch a.err {
		case syscall.EINTR, syscall.ECONNABORTED:
			continue // a connection reset while queued is none to serve
		}
		return
	}
}

// accept accepts one connection, waiting for one as long as it takes, and
// serves it from events.
func (a *rawAccepter) accept() error {
	for {
		a.ready.rd.CompareAndSwap(ready, idle) // this accept takes what was said
		if err := a.rc.Control(a.acceptFn); err != nil {
			return err
		}
		if a.err != syscall.EAGAIN {
			break
		}
		if err := a.ctx.Err(); err != nil {
			return err
		}
		wait(&a.ready.rd, &a.ready.lingering, 0)
	}
	if a.err != nil {
		return &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", a.err)}
	}
	fd := a.fd
	// As the net package does, and as Config keeps TCP keep-alive: on,
	// with the system's timing.
	syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
	syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, 1)
	srv := a.srv
	s := &rawStream{ep: srv.ep, fd: int32(fd)}
	// Under srv.mu, so that a server stopping now closes s with the rest.
	srv.mu.Lock()
	if a.ctx.Err() != nil {
		srv.mu.Unlock()
		syscall.Close(fd)
		return nil
	}
	err := srv.ep.add(s)
	if err == nil {
		srv.wg.Add(1)
	}
	srv.mu.Unlock()
	if err != nil {
		syscall.Close(fd)
		return nil
	}
	if err := srv.b.ServeEvents(s, sockaddrSource(a.sa)); err != nil {
		s.Ended(err) // closed by the broker
	}
	return nil
}

// sockaddrSource is Source of the address sa.
func sockaddrSource(sa syscall.Sockaddr) string {
	switch a := sa.(type) {
	case *syscall.SockaddrInet4:
		return netip.AddrFrom4(a.Addr).String()
	case *syscall.SockaddrInet6:
		return netip.AddrFrom16(a.Addr).Unmap().String()
	}
	return ""
}
