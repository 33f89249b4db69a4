package link

import (
	"errors"
	"io"
	"testing"
	"time"
)

// TestNotifyReadable serves a stream as an event-driven server does:
// TryRead until ErrWouldBlock, then NotifyReadable, once per wait.
func TestNotifyReadable(t *testing.T) {
	for _, end := range []struct {
		name string
		do   func(host, board *Stream)
		want error
	}{
		{"peer closes", func(host, board *Stream) { host.Close() }, io.EOF},
		{"closed here", func(host, board *Stream) { board.Close() }, ErrClosed},
	} {
		t.Run(end.name, func(t *testing.T) {
			host, board := pipePair(t)
			s, r := openStream(t, host, board)
			buf := make([]byte, 64)
			if n, err := r.TryRead(buf); n != 0 || !errors.Is(err, ErrWouldBlock) {
				t.Fatalf("TryRead on an empty stream: %d, %v; want ErrWouldBlock", n, err)
			}
			ready := make(chan struct{}, 2)
			notify := func() { ready <- struct{}{} }
			r.NotifyReadable(notify)
			select {
			case <-ready:
				t.Fatal("notified with nothing to read")
			default:
			}
			if _, err := s.Write([]byte("hello")); err != nil {
				t.Fatal(err)
			}
			waitReady(t, ready)
			if n, err := r.TryRead(buf); err != nil || string(buf[:n]) != "hello" {
				t.Fatalf("TryRead: %q, %v", buf[:n], err)
			}
			// Bytes already there: told at once.
			s.Write([]byte("again"))
			eventually(t, "bytes buffered", func() bool { r.l.mu.Lock(); defer r.l.mu.Unlock(); return r.n > 0 })
			r.NotifyReadable(notify)
			waitReady(t, ready)
			r.TryRead(buf)
			r.NotifyReadable(notify)
			end.do(s, r)
			waitReady(t, ready)
			if _, err := r.TryRead(buf); !errors.Is(err, end.want) {
				t.Fatalf("TryRead after the end: %v, want %v", err, end.want)
			}
			if len(ready) != 0 {
				t.Fatalf("%d notifications more than the waits", len(ready))
			}
		})
	}
}

func waitReady(t *testing.T, ready <-chan struct{}) {
	t.Helper()
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
		t.Fatal("not notified within 5 s")
	}
}
