// Package listen serves a broker.Broker on TCP listeners. It is the only
// part of the broker that knows about the network, so package broker stays
// transport-agnostic (and builds for boards without a network stack).
//
// Limits: one goroutine per accepted connection (plus the broker's writer
// goroutine); connections beyond the broker's MaxConnections are accepted
// and closed at once by the broker, or make it close the oldest that has
// not sent CONNECT yet (see broker.Limits.MaxPending).
//
// Each connection is served with broker.Broker.ServeConnFrom and the host
// of its remote address, so that the broker bounds pending connections
// and throttles failed logins per client host.
package listen

import (
	"context"
	"errors"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
)

// Serve accepts connections on ln and serves each with b.ServeConn until
// ctx is done or ln fails. When ctx is done it closes ln and the
// connections it accepted, waits for them, and returns ctx.Err().
//
// Accept errors that say the system is short of something for now (out
// of file descriptors, buffers or memory) and timeouts do not end Serve:
// it pauses, 5 ms after the first failure in a row and twice as long after
// each next one up to 1 s, and accepts again, so that a burst of clients
// beyond the process's file limit is refused for a while instead of ending
// the daemon. Each such failure is reported to b (Broker.ReportTrouble),
// which logs a line per kind of failure every few seconds at most. Other
// errors are returned.
func Serve(ctx context.Context, ln net.Listener, b *broker.Broker) error {
	var (
		mu    sync.Mutex
		conns = make(map[net.Conn]struct{})
		wg    sync.WaitGroup
	)
	stop := context.AfterFunc(ctx, func() {
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	defer stop()
	defer wg.Wait()
	var backoff time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			tr, ok := trouble(err)
			if !ok {
				return err
			}
			b.ReportTrouble(tr, err)
			backoff = min(max(2*backoff, minAcceptBackoff), maxAcceptBackoff)
			if err := pause(ctx, backoff); err != nil {
				return err
			}
			continue
		}
		backoff = 0
		mu.Lock()
		if ctx.Err() != nil {
			mu.Unlock()
			c.Close()
			continue
		}
		conns[c] = struct{}{}
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.ServeConnFrom(c, Source(c.RemoteAddr()))
			mu.Lock()
			delete(conns, c)
			mu.Unlock()
		}()
	}
}

// Source returns the host of a remote address, without port, as
// ServeConnFrom takes it: the IP address of a TCP or UDP address, the
// host of any other address in host:port form, or else the address as
// it is.
func Source(addr net.Addr) string {
	switch a := addr.(type) {
	case nil:
		return ""
	case *net.TCPAddr:
		return a.IP.String()
	case *net.UDPAddr:
		return a.IP.String()
	}
	s := addr.String()
	if host, _, err := net.SplitHostPort(s); err == nil {
		return host
	}
	return s
}

// ListenAndServe listens on the TCP address addr and calls Serve.
func ListenAndServe(ctx context.Context, addr string, b *broker.Broker) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	return Serve(ctx, ln, b)
}

// The pauses after failed Accepts: variables so that tests can watch them.
var (
	minAcceptBackoff = 5 * time.Millisecond
	maxAcceptBackoff = time.Second
	pause            = sleep
)

// sleep waits for d or until ctx is done, and then returns ctx.Err().
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
	return ctx.Err()
}

// trouble reports whether an Accept error may go away by itself, and what
// trouble it is.
func trouble(err error) (broker.Trouble, bool) {
	switch {
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		return broker.TroubleFiles, true
	case errors.Is(err, syscall.ENOBUFS), errors.Is(err, syscall.ENOMEM):
		return broker.TroubleMemory, true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return broker.TroubleAccept, true
	}
	return 0, false
}
