package listen

import "net"

// startWaiter sets up the waiter of model m.
func (srv *server) startWaiter(m Model) error {
	switch m {
	case Epoll:
		p, err := newEpoller()
		if err != nil {
			return err
		}
		srv.waiter, srv.stopW = p, p.stop
	case RuntimePoller:
		srv.waiter = runtimePoller{}
	}
	return nil
}

// serveEvents serves tc from events, and reports false when it cannot
// (no waiter, or no file descriptor to be had).
func (srv *server) serveEvents(tc *net.TCPConn) bool {
	if srv.waiter == nil {
		return false
	}
	s, err := newStream(tc, srv.waiter, srv)
	if err != nil {
		return false
	}
	srv.mu.Lock()
	srv.streams.add(s)
	srv.mu.Unlock()
	srv.wg.Add(1)
	srv.waiter.start(s)
	if err := srv.b.ServeEvents(s, Source(tc.RemoteAddr())); err != nil {
		s.waiter.forget(s)
		s.Ended(err)
	}
	return true
}

// A streamList chains the streams of a server through themselves, the
// newest first. Guarded by server.mu.
type streamList struct{ head *stream }

func (l *streamList) add(s *stream) {
	s.next = l.head
	if l.head != nil {
		l.head.prev = s
	}
	l.head = s
}

func (l *streamList) remove(s *stream) {
	if s.prev != nil {
		s.prev.next = s.next
	} else {
		l.head = s.next
	}
	if s.next != nil {
		s.next.prev = s.prev
	}
	s.prev, s.next = nil, nil
}

// closeAll closes every stream; each is removed as it ends.
func (l *streamList) closeAll() {
	for s := l.head; s != nil; s = s.next {
		s.Close()
	}
}
