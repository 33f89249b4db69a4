package tlspsk

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

var (
	testKey   = []byte("0123456789abcdef0123456789abcdef")
	otherKey  = []byte("fedcba9876543210fedcba9876543210")
	testLimit = 10 * time.Second // bound on every in-process exchange
)

func clientConfig(edit ...func(*Config)) *Config {
	c := &Config{PSK: PSK{Identity: "board-7", Key: testKey}}
	for _, e := range edit {
		e(c)
	}
	return c
}

func serverConfig(edit ...func(*Config)) *Config {
	c := &Config{PSKs: []PSK{
		{Identity: "board-1", Key: otherKey},
		{Identity: "board-7", Key: testKey},
	}}
	for _, e := range edit {
		e(c)
	}
	return c
}

type transport int

const (
	overMem transport = iota
	overNetPipe
)

func pipeOver(tr transport) (net.Conn, net.Conn) {
	if tr == overNetPipe {
		return net.Pipe()
	}
	return memPipe()
}

// pair holds the two ends of an in-process connection.
type pair struct {
	client, server    *Conn
	clientErr, svrErr error
	clientNet, svrNet net.Conn
}

// handshake runs both handshakes concurrently, bounded by testLimit.
func handshake(t *testing.T, tr transport, ccfg, scfg *Config, setup ...func(p *pair)) *pair {
	t.Helper()
	cn, sn := pipeOver(tr)
	deadline := time.Now().Add(testLimit)
	cn.SetDeadline(deadline)
	sn.SetDeadline(deadline)
	p := &pair{client: ClientOver(cn, ccfg), server: ServerOver(sn, scfg), clientNet: cn, svrNet: sn}
	for _, s := range setup {
		s(p)
	}
	t.Cleanup(func() {
		// Close the transports, not the Conns: over net.Pipe a
		// close_notify nobody reads would wait for its timeout.
		cn.Close()
		sn.Close()
	})
	done := make(chan error, 1)
	go func() { done <- p.server.Handshake() }()
	p.clientErr = p.client.Handshake()
	if p.clientErr != nil && tr == overNetPipe {
		cn.Close() // unblock a server still writing its flight
	}
	select {
	case p.svrErr = <-done:
	case <-time.After(testLimit):
		t.Fatal("server handshake did not finish")
	}
	return p
}

func mustHandshake(t *testing.T, tr transport, ccfg, scfg *Config) *pair {
	t.Helper()
	p := handshake(t, tr, ccfg, scfg)
	if p.clientErr != nil || p.svrErr != nil {
		t.Fatalf("handshake failed: client %v, server %v", p.clientErr, p.svrErr)
	}
	return p
}

// exchange sends msg from w to r and checks it arrives intact. Reading
// runs concurrently because net.Pipe writes block until read.
func exchange(t *testing.T, w, r *Conn, msg []byte) {
	t.Helper()
	got := make(chan []byte, 1)
	errc := make(chan error, 1)
	go func() {
		buf := make([]byte, len(msg))
		_, err := io.ReadFull(r, buf)
		errc <- err
		got <- buf
	}()
	if _, err := w.Write(msg); err != nil {
		t.Fatalf("write: %v", err)
	}
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if b := <-got; !bytes.Equal(b, msg) {
			t.Fatalf("received %d bytes that differ from the %d sent", len(b), len(msg))
		}
	case <-time.After(testLimit):
		t.Fatal("read did not finish")
	}
}

// wantLocal checks that err is this side's failure with the given
// sentinel and alert.
func wantLocal(t *testing.T, side string, err, sentinel error, a Alert) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Errorf("%s error = %v, want %v", side, err, sentinel)
	}
	if got, ok := SentAlert(err); !ok || got != a {
		t.Errorf("%s sent alert %v (%v), want %v", side, got, ok, a)
	}
}

// wantRemote checks that err reports the given alert from the peer.
func wantRemote(t *testing.T, side string, err error, a Alert) {
	t.Helper()
	var ae *AlertError
	if !errors.As(err, &ae) || ae.Alert != a {
		t.Errorf("%s error = %v, want received alert %v", side, err, a)
	}
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}
