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
	srv.track(s)
	srv.waiter.start(s)
	if err := srv.b.ServeEvents(s, Source(tc.RemoteAddr())); err != nil {
		s.waiter.forget(s)
		s.Ended(err)
	}
	return true
}
