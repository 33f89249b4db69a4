//go:build linux

package listen

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
)

// rawPair returns a raw stream over one end of a socket pair, in an
// epoller of its own, and the other end.
func rawPair(t *testing.T) (*rawStream, *net.UnixConn) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	ep, err := newEpoller(&server{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ep.stop)
	s := &rawStream{ep: ep, fd: int32(fds[0])}
	if err := ep.add(s); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	f := os.NewFile(uintptr(fds[1]), "peer")
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return s, c.(*net.UnixConn)
}

// TestRawWriteWaitsForRoom: a write larger than the socket's buffers
// waits for the peer to read, and then has written every byte in order.
func TestRawWriteWaitsForRoom(t *testing.T) {
	s, c := rawPair(t)
	want := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	wrote := make(chan error, 1)
	go func() {
		n, err := s.Write(want)
		if err == nil && n != len(want) {
			err = io.ErrShortWrite
		}
		wrote <- err
	}()
	got := make([]byte, len(want))
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatal(err)
	}
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("the bytes read are not those written")
	}
}

// TestRawCloseEndsWaitingWrite: a writer waiting for room returns an
// error once the stream is closed, instead of waiting for ever.
func TestRawCloseEndsWaitingWrite(t *testing.T) {
	s, _ := rawPair(t)
	wrote := make(chan error, 1)
	go func() {
		_, err := s.Write(make([]byte, 8<<20))
		wrote <- err
	}()
	// The peer reads nothing, so the writer fills the buffers and waits.
	for deadline := time.Now().Add(5 * time.Second); s.wr.Load() != waiting; {
		if time.Now().After(deadline) {
			t.Fatal("the writer never waited for room")
		}
		runtime.Gosched()
	}
	s.Close()
	select {
	case err := <-wrote:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("write after close: %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("closing did not end the waiting write")
	}
}

// TestRawLinger: Linger reports false when nothing comes within
// lingerTime, true as soon as bytes come, and true when the stream is
// closed meanwhile; a stream done lingering holds no wakeup.
func TestRawLinger(t *testing.T) {
	s, c := rawPair(t)
	start := time.Now()
	if s.Linger() {
		t.Fatal("Linger on a silent socket reported bytes")
	}
	if d := time.Since(start); d < lingerTime {
		t.Fatalf("Linger gave up after %s, before %s", d, lingerTime)
	}

	if s.lingering.Load() != nil {
		t.Error("a stream that lingered keeps its wakeup")
	}

	go c.Write([]byte{0x30})
	if !s.Linger() {
		t.Fatal("Linger missed the byte written")
	}
	if n, err := s.Read(make([]byte, 4)); n != 1 || err != nil {
		t.Fatalf("Read = %d, %v; want the byte", n, err)
	}
	if _, err := s.Read(make([]byte, 4)); !errors.Is(err, broker.ErrWouldBlock) {
		t.Fatalf("Read of an empty socket: %v, want ErrWouldBlock", err)
	}

	go s.Close()
	if !s.Linger() {
		t.Fatal("Linger did not end when the stream closed")
	}
	if _, err := s.Read(make([]byte, 4)); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Read after close: %v, want net.ErrClosed", err)
	}
}
