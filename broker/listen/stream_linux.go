package listen

import (
	"io"
	"net"
	"sync/atomic"
	"syscall"

	"github.com/gatomqtt/gatomqtt/broker"
)

// A stream is a TCP connection as a broker.EventStream for the
// RuntimePoller model. Reads go straight to the socket, without waiting;
// writes go through the net.TCPConn and may wait in the runtime's poller,
// on the broker's writer. A goroutine of its own, parked in the runtime's
// poller, says when a silent stream has bytes again.
type stream struct {
	tc  *net.TCPConn
	rc  syscall.RawConn
	srv *server // told when the stream has ended

	// The arguments and results of readFd, which rc.Read calls: made once
	// so that a read allocates nothing. Used by the broker's reader only.
	readFn func(fd uintptr) bool
	p      []byte
	n      int
	err    error
	// peekFn, made once, reports whether the socket has bytes, an end or
	// an error, without taking them. waited is false before each
	// rc.Read(peekFn).
	peekFn func(fd uintptr) bool
	waited bool
	peek   [1]byte

	ec    broker.EventConn // set before armed
	armed atomic.Bool      // the poll loop is to call ec.Readable
	done  chan struct{}    // closed when Ended
	arms  chan struct{}    // WaitRead was called
}

// newStream returns tc as a stream of srv, or an error when its socket
// cannot be had.
func newStream(tc *net.TCPConn, srv *server) (*stream, error) {
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil, err
	}
	s := &stream{tc: tc, rc: rc, srv: srv, arms: make(chan struct{}, 1), done: make(chan struct{})}
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

// WaitRead arms the stream's poll loop.
func (s *stream) WaitRead(ec broker.EventConn) error {
	s.ec = ec
	s.armed.Store(true)
	select {
	case s.arms <- struct{}{}:
	default:
	}
	return nil
}

// fire tells the broker that the stream is readable, once per arming.
func (s *stream) fire() {
	if s.armed.CompareAndSwap(true, false) {
		s.ec.Readable()
	}
}

// Close closes the socket, telling a waiting broker so.
func (s *stream) Close() error {
	err := s.tc.Close()
	s.fire()
	return err
}

func (s *stream) Ended(err error) {
	close(s.done)
	s.srv.untrack(s)
}

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
