// Package listen serves a broker.Broker on TCP listeners. It is the only
// part of the broker that knows about the network, so package broker stays
// transport-agnostic (and builds for boards without a network stack).
//
// Limits: one goroutine per accepted connection (plus the broker's writer
// goroutine); connections beyond the broker's MaxConnections are accepted
// and closed at once by the broker.
package listen

import (
	"context"
	"errors"
	"net"
	"sync"

	"github.com/gatomqtt/gatomqtt/broker"
)

// Serve accepts connections on ln and serves each with b.ServeConn until
// ctx is done or ln fails. When ctx is done it closes ln and the
// connections it accepted, waits for them, and returns ctx.Err().
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
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
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
			b.ServeConn(c)
			mu.Lock()
			delete(conns, c)
			mu.Unlock()
		}()
	}
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
