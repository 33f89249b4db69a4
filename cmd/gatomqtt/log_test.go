package main

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// gateWriter blocks every Write until open is closed, then records it.
type gateWriter struct {
	open chan struct{}
	mu   sync.Mutex
	buf  strings.Builder
}

func (w *gateWriter) Write(p []byte) (int, error) {
	<-w.open
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *gateWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestLoggerNeverBlocks: with standard error not taking lines, Logf
// returns at once; the lines beyond what the logger holds are dropped,
// counted and reported once the stream takes lines again.
func TestLoggerNeverBlocks(t *testing.T) {
	w := &gateWriter{open: make(chan struct{})}
	l := newLogger(w)
	const n = 3 * logLines
	done := make(chan struct{})
	go func() {
		for i := range n {
			l.Logf("line %d", i)
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(ioWait):
		t.Fatal("Logf blocked on a stream that takes no lines")
	}
	close(w.open)
	l.Close(ioWait)
	out := w.String()
	if !strings.HasPrefix(out, "gatomqtt: line 0\n") {
		t.Errorf("output starts %.40q, want the first line", out)
	}
	if !strings.Contains(out, "gatomqtt: log: dropped ") {
		t.Errorf("dropped lines not reported in %d bytes of output", len(out))
	}
	written := strings.Count(out, "gatomqtt: line ")
	if d := l.Dropped(); d == 0 || int(d)+written != n {
		t.Errorf("%d lines written and %d reported dropped, want %d in all", written, d, n)
	}
}

// TestLoggerIgnoresWriteErrors: a stream that fails (EPIPE) does not stop
// the logger from taking lines.
func TestLoggerIgnoresWriteErrors(t *testing.T) {
	l := newLogger(failWriter{})
	for i := range 2 * logLines {
		l.Logf("line %d", i)
	}
	l.Close(ioWait)
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errBrokenPipe }

var errBrokenPipe = &brokenPipe{}

type brokenPipe struct{}

func (*brokenPipe) Error() string { return "write: broken pipe" }
