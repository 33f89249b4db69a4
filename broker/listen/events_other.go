//go:build !linux

package listen

import "net"

// startWaiter: every model is Goroutines here.
func (srv *server) startWaiter(Model) error { return nil }

func (srv *server) serveEvents(*net.TCPConn) bool { return false }

// waiter has no implementation here.
type waiter interface{}

// streamList holds no streams here.
type streamList struct{}

func (streamList) closeAll() {}
