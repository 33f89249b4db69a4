package listen

import (
	"context"
	"net"
)

// startWaiter sets up what model m waits for silent streams with.
func (srv *server) startWaiter(m Model) error {
	switch m {
	case Epoll:
		p, err := newEpoller()
		if err != nil {
			return err
		}
		srv.ep = p
	case RuntimePoller:
		srv.poller = true
	}
	return nil
}

func (srv *server) stopWaiter() {
	if srv.ep != nil {
		srv.ep.stop()
	}
}

// accepter returns what accepts and serves ln's next connection: for a
// TCP listener in the Epoll model, as a descriptor of its own (rawStream).
func (srv *server) accepter(ctx context.Context, ln net.Listener) func() error {
	tl, ok := ln.(*net.TCPListener)
	if !ok || srv.ep == nil {
		return srv.acceptConn(ctx, ln)
	}
	a, err := newRawAccepter(ctx, srv, tl)
	if err != nil {
		return srv.acceptConn(ctx, ln)
	}
	return a.accept
}

// serveEvents serves tc from events in the RuntimePoller model, and
// reports false when it cannot (another model, or no socket to be had).
func (srv *server) serveEvents(tc *net.TCPConn) bool {
	if !srv.poller {
		return false
	}
	s, err := newStream(tc, srv)
	if err != nil {
		return false
	}
	srv.track(s)
	go s.pollLoop()
	if err := srv.b.ServeEvents(s, Source(tc.RemoteAddr())); err != nil {
		s.Ended(err)
	}
	return true
}

// A streamList chains the raw streams of a server through themselves,
// the newest first. Guarded by server.mu.
type streamList struct{ head *rawStream }

func (l *streamList) add(s *rawStream) {
	s.next = l.head
	if l.head != nil {
		l.head.prev = s
	}
	l.head = s
}

func (l *streamList) remove(s *rawStream) {
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
