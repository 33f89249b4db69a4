package listen

import (
	"context"
	"net"
)

// startWaiter sets up what model m waits for silent streams with.
func (srv *server) startWaiter(m Model) error {
	switch m {
	case Epoll:
		p, err := newEpoller(srv)
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

// closeStreams closes the raw streams of the Epoll model.
func (srv *server) closeStreams() {
	if srv.ep != nil {
		srv.ep.closeAll()
	}
}
