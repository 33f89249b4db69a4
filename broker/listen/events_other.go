//go:build !linux

package listen

import (
	"context"
	"net"
)

// Every model is Goroutines here.
func (srv *server) startWaiter(Model) error { return nil }

func (srv *server) stopWaiter() {}

func (srv *server) accepter(ctx context.Context, ln net.Listener) func() error {
	return srv.acceptConn(ctx, ln)
}

func (srv *server) serveEvents(*net.TCPConn) bool { return false }

// epoller has no implementation here.
type epoller struct{}

func (srv *server) closeStreams() {}
