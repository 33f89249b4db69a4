package listen

import (
	"errors"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
)

// A stream is a TCP connection as a broker.EventStream. Reads go straight
// to the socket, without waiting; writes go through the net.TCPConn and
// may wait in the runtime's poller, on the broker's writer. A waiter says
// when a silent stream has bytes again.
//
// A host holds one per connected client, so its fields are what every
// model needs; the runtime poller's channels are made by its start.
type stream struct {
	tc         *net.TCPConn
	rc         syscall.RawConn
	waiter     waiter
	srv        *server // told when the stream has ended
	prev, next *stream // in srv.streams

	// The arguments and results of readFd, which rc.Read calls: made once
	// so that a read allocates nothing. Used by the broker's reader only.
	readFn func(fd uintptr) bool
	p      []byte
	n      int
	err    error
	// peekFn, made once, reports whether the socket has bytes, an end or
	// an error, without taking them; Linger waits on it. waited is false
	// before each rc.Read(peekFn).
	peekFn func(fd uintptr) bool
	waited bool

	ec    broker.EventConn // set before armed
	fd    int32
	id    int32       // tells the streams of one file descriptor apart
	armed atomic.Bool // a waiter is to call ec.Readable
	inSet atomic.Bool // the epoller has the socket in its set
	peek  [1]byte

	done chan struct{} // the runtime poller's: closed when Ended
	arms chan struct{} // the runtime poller's: WaitRead was called
}

// newStream returns tc as a stream of srv, or an error when its file
// descriptor cannot be had.
func newStream(tc *net.TCPConn, w waiter, srv *server) (*stream, error) {
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil, err
	}
	s := &stream{tc: tc, rc: rc, waiter: w, srv: srv}
	if err := rc.Control(func(fd uintptr) { s.fd = int32(fd) }); err != nil {
		return nil, err
	}
	s.readFn, s.peekFn = s.readFd, s.peekFd
	return s, nil
}

// peekFd is peekFn: called as rc.Read begins, it looks at the socket,
// whose readiness the poller has just forgotten; called again after the
// poller has waited, it trusts the poller, saving a system call.
func (s *stream) peekFd(fd uintptr) bool {
	if s.waited {
		return true
	}
	s.waited = true
	for {
		_, _, err := syscall.Recvfrom(int(fd), s.peek[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		if err != syscall.EINTR {
			return err != syscall.EAGAIN
		}
	}
}

// lingerTime is how long a stream that has just been read waits for more
// on the broker's reader before it is parked: long enough for the next
// packets of a client that is sending, short enough that a silent one
// soon holds no goroutine.
const lingerTime = 20 * time.Millisecond

// Linger waits, in the runtime's poller, up to lingerTime for bytes.
func (s *stream) Linger() bool {
	if _, ok := s.waiter.(*epoller); !ok {
		return false
	}
	s.tc.SetReadDeadline(time.Now().Add(lingerTime))
	s.waited = false
	err := s.rc.Read(s.peekFn)
	s.tc.SetReadDeadline(time.Time{})
	return !errors.Is(err, os.ErrDeadlineExceeded)
}

func (s *stream) readFd(fd uintptr) bool {
	for {
		s.n, s.err = syscall.Read(int(fd), s.p)
		if s.err != syscall.EINTR {
			return true
		}
	}
}

// Read reads what the socket holds now, and says broker.ErrWouldBlock
// when it holds nothing.
func (s *stream) Read(p []byte) (int, error) {
	s.p = p
	if err := s.rc.Read(s.readFn); err != nil {
		return 0, err
	}
	n, err := s.n, s.err
	s.p, s.err = nil, nil
	switch {
	case err == syscall.EAGAIN:
		return 0, broker.ErrWouldBlock
	case err != nil:
		return 0, &net.OpError{Op: "read", Net: "tcp", Source: s.tc.LocalAddr(), Addr: s.tc.RemoteAddr(), Err: err}
	case n == 0 && len(p) > 0:
		return 0, io.EOF
	}
	return n, nil
}

func (s *stream) Write(p []byte) (int, error) { return s.tc.Write(p) }

// WaitRead arms the stream's waiter.
func (s *stream) WaitRead(ec broker.EventConn) error {
	s.ec = ec
	s.armed.Store(true)
	return s.waiter.arm(s)
}

// fire tells the broker that the stream is readable, once per arming.
func (s *stream) fire() {
	if s.armed.CompareAndSwap(true, false) {
		s.ec.Readable()
	}
}

// Close closes the socket, telling a waiting broker so, since a closed
// socket gives its waiter no event.
func (s *stream) Close() error {
	s.waiter.forget(s)
	err := s.tc.Close()
	s.fire()
	return err
}

func (s *stream) Ended(err error) {
	if s.done != nil {
		close(s.done)
	}
	srv := s.srv
	srv.mu.Lock()
	srv.streams.remove(s)
	srv.mu.Unlock()
	srv.wg.Done()
}

// A waiter waits for silent streams to have bytes, and fires them.
type waiter interface {
	// arm makes the waiter fire s once when it is readable.
	arm(s *stream) error
	// forget drops s before its socket closes.
	forget(s *stream)
	// start is called for each new stream, before it is served.
	start(s *stream)
}

// runtimePoller waits for each silent stream on a goroutine of its own,
// parked in the Go runtime's poller: it holds a small stack but no
// buffer.
type runtimePoller struct{}

func (runtimePoller) start(s *stream) {
	s.arms, s.done = make(chan struct{}, 1), make(chan struct{})
	go s.pollLoop()
}

func (runtimePoller) arm(s *stream) error {
	select {
	case s.arms <- struct{}{}:
	default:
	}
	return nil
}

func (runtimePoller) forget(*stream) {}

// pollLoop waits, each time the stream is armed, until the socket has
// bytes, an end or an error, without reading them.
func (s *stream) pollLoop() {
	for {
		select {
		case <-s.arms:
		case <-s.done:
			return
		}
		s.waited = false
		s.rc.Read(s.peekFn) // an error means closed: fire, and the broker reads the error
		s.fire()
	}
}
