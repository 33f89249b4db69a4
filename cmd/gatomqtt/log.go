package main

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// logLines is how many lines the logger holds for a slow standard error
// before it drops them.
const logLines = 256

// A logger writes lines to a stream from a goroutine of its own, so that
// the broker, which logs with its lock held, never waits for the stream:
// a terminal scrolled back, a full pipe or a stalled journald would
// otherwise stop every connection. When the lines it holds are more than
// logLines, Logf drops the line and counts it, and the writer reports the
// count as soon as it writes again. Write errors (EPIPE once standard
// error's reader is gone) are ignored: logging never ends the daemon.
type logger struct {
	lines        chan string
	dropped      atomic.Uint64 // dropped since the writer last reported
	droppedTotal atomic.Uint64 // reported, for Dropped
	done         chan struct{}
	once         sync.Once
}

// newLogger starts a logger writing to w.
func newLogger(w io.Writer) *logger {
	l := &logger{lines: make(chan string, logLines), done: make(chan struct{})}
	go l.write(w)
	return l
}

// Logf formats one line, prefixed with "gatomqtt: ", and queues it
// without blocking. It is safe for concurrent use.
func (l *logger) Logf(format string, args ...any) {
	select {
	case l.lines <- fmt.Sprintf("gatomqtt: "+format+"\n", args...):
	default:
		l.dropped.Add(1)
	}
}

// Dropped reports how many lines Logf dropped that the writer has
// reported so far.
func (l *logger) Dropped() uint64 { return l.droppedTotal.Load() }

func (l *logger) write(w io.Writer) {
	defer close(l.done)
	for line := range l.lines {
		io.WriteString(w, line)
		if n := l.dropped.Swap(0); n > 0 {
			l.droppedTotal.Add(n)
			fmt.Fprintf(w, "gatomqtt: log: dropped %d lines, standard error too slow\n", n)
		}
	}
}

// Close writes the lines queued, waiting at most wait for a stream that
// does not take them, and stops the logger. Logf must not be called
// after Close.
func (l *logger) Close(wait time.Duration) {
	l.once.Do(func() { close(l.lines) })
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-l.done:
	case <-t.C:
	}
}
