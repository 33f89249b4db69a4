// Package listen serves a broker.Broker on TCP listeners. It is the only
// part of the broker that knows about the network, so package broker stays
// transport-agnostic (and builds for boards without a network stack).
//
// On Linux a TCP connection is served from readiness events
// (broker.Broker.ServeEvents): while its client is silent it holds no
// goroutine and no buffer, and one goroutine waits for all of them in an
// epoll instance (Model Epoll, the default). In that model a connection
// is a bare socket descriptor that the package accepts itself, without
// the net.TCPConn, runtime poll descriptor and addresses of the net
// package, which would take about as much memory as the rest of an idle
// client. RuntimePoller waits for each on a goroutine of its own in the Go
// runtime's poller instead, and Goroutines serves each with
// broker.Broker.ServeConnFrom on a goroutine blocked in Read, as other
// systems and other streams always are.
// docs/benchmarks.md compares the three ("Idle sessions").
//
// Limits: connections beyond the broker's MaxConnections are accepted and
// closed at once by the broker, or make it close the oldest that has not
// sent CONNECT yet (see broker.Limits.MaxPending). Each connection is
// served with the host of its remote address as its source, so that the
// broker bounds pending connections and throttles failed logins per
// client host.
package listen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
)

// A Model is how Serve waits for the bytes of its connections.
type Model int

const (
	// Epoll serves TCP connections with broker.ServeEvents and waits for
	// every silent one in one epoll instance: a connection whose client
	// sends nothing holds no goroutine and no buffer, only its session
	// and its socket. Linux only, and for a *net.TCPListener; elsewhere
	// it is Goroutines.
	Epoll Model = iota
	// RuntimePoller serves TCP connections with broker.ServeEvents and
	// waits for each silent one on a goroutine of its own, parked in the
	// Go runtime's poller: a small stack per connection, but no buffer.
	// Linux only; elsewhere it is Goroutines.
	RuntimePoller
	// Goroutines serves each connection with broker.ServeConnFrom, on a
	// goroutine blocked in Read that holds its read buffer.
	Goroutines
)

var modelNames = [...]string{Epoll: "epoll", RuntimePoller: "poller", Goroutines: "goroutines"}

func (m Model) String() string {
	if int(m) < len(modelNames) {
		return modelNames[m]
	}
	return "Model(" + strconv.Itoa(int(m)) + ")"
}

// ParseModel returns the Model named s: "epoll", "poller" or
// "goroutines".
func ParseModel(s string) (Model, error) {
	for m, name := range modelNames {
		if name == s {
			return Model(m), nil
		}
	}
	return 0, fmt.Errorf("listen: no serving model %q (epoll, poller, goroutines)", s)
}

// Serve is ServeModel with the Epoll model.
func Serve(ctx context.Context, ln net.Listener, b *broker.Broker) error {
	return ServeModel(ctx, ln, b, Epoll)
}

// ServeModel accepts connections on ln and serves each on b, waiting for
// their bytes as m says, until ctx is done or ln fails. When ctx is done
// it closes ln and the connections it accepted, waits for the broker to
// be done with them, and returns ctx.Err(). Connections other than TCP
// ones are served by goroutines whatever m says.
//
// Accept errors that say the system is short of something for now (out
// of file descriptors, buffers or memory) and timeouts do not end Serve:
// it pauses, 5 ms after the first failure in a row and twice as long after
// each next one up to 1 s, and accepts again, so that a burst of clients
// beyond the process's file limit is refused for a while instead of ending
// the daemon. Each such failure is reported to b (Broker.ReportTrouble),
// which logs a line per kind of failure every few seconds at most. Other
// errors are returned.
func ServeModel(ctx context.Context, ln net.Listener, b *broker.Broker, m Model) error {
	srv := &server{b: b, conns: make(map[io.Closer]struct{})}
	if err := srv.startWaiter(m); err != nil {
		return err
	}
	defer srv.stopWaiter()
	stop := context.AfterFunc(ctx, func() {
		ln.Close()
		srv.mu.Lock()
		for c := range srv.conns {
			c.Close()
		}
		srv.closeStreams()
		srv.mu.Unlock()
	})
	defer stop()
	defer srv.wg.Wait()
	accept := srv.accepter(ctx, ln)
	var backoff time.Duration
	for {
		err := accept()
		if err == nil {
			backoff = 0
			continue
		}
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
	}
}

// acceptConn returns what accepts ln's next connection as a net.Conn and
// serves it: from events in the RuntimePoller model, else on a goroutine.
func (srv *server) acceptConn(ctx context.Context, ln net.Listener) func() error {
	return func() error {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		srv.mu.Lock()
		if ctx.Err() != nil {
			srv.mu.Unlock()
			c.Close()
			return nil
		}
		srv.mu.Unlock()
		if tc, ok := c.(*net.TCPConn); ok && srv.serveEvents(tc) {
			return nil
		}
		srv.track(c)
		go func() {
			srv.b.ServeConnFrom(c, Source(c.RemoteAddr()))
			srv.untrack(c)
		}()
		return nil
	}
}

// A server is what ServeModel keeps of its connections, to close them
// and wait for them when it ends: the raw streams of the Epoll model are
// in its epoller's table, the other connections in a map.
type server struct {
	b      *broker.Broker
	mu     sync.Mutex
	conns  map[io.Closer]struct{}
	wg     sync.WaitGroup
	ep     *epoller // the Epoll model's
	poller bool     // the RuntimePoller model
}

func (srv *server) track(c io.Closer) {
	srv.mu.Lock()
	srv.conns[c] = struct{}{}
	srv.mu.Unlock()
	srv.wg.Add(1)
}

func (srv *server) untrack(c io.Closer) {
	srv.mu.Lock()
	delete(srv.conns, c)
	srv.mu.Unlock()
	srv.wg.Done()
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

// Config returns the configuration ListenAndServe listens with, for
// listeners of MQTT clients made elsewhere. Accepted connections get TCP
// keep-alive with the system's timing, one system call, where Go's
// default sets its own timing in three more: MQTT's keep alive is what
// finds dead clients quickly, and TCP's only ends, in hours, the half-open
// connections of clients that asked for none.
func Config() net.ListenConfig {
	return net.ListenConfig{KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: -1, Interval: -1, Count: -1}}
}

// ListenAndServe listens on the TCP address addr and calls Serve.
func ListenAndServe(ctx context.Context, addr string, b *broker.Broker) error {
	lc := Config()
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
