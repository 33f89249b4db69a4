// Package listentest serves a broker on loopback listeners for the length
// of a test, for the tests of code that talks to a broker over the
// network (load tools, transports, listeners).
//
// Limits: loopback TCP only; it is meant for tests.
package listentest

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker"
)

// A ServeFunc serves b on ln until ctx is done, as listen.Serve does.
type ServeFunc func(ctx context.Context, ln net.Listener, b *broker.Broker) error

// Loopback listens on a free loopback TCP port; Serve closes it.
func Loopback(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// Serve runs serve on each of lns until the test ends; then it stops
// them, waits for each to return and wants context.Canceled, and closes
// b.
func Serve(t testing.TB, b *broker.Broker, serve ServeFunc, lns ...net.Listener) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, len(lns))
	for _, ln := range lns {
		go func() { served <- serve(ctx, ln, b) }()
	}
	t.Cleanup(func() {
		stop()
		for range lns {
			if err := <-served; !errors.Is(err, context.Canceled) {
				t.Errorf("serving ended with %v, want context.Canceled", err)
			}
		}
		b.Close()
	})
}
