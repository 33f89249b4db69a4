package main

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"
)

// errRebooted is what a run of the core reads and writes after the board
// it ran on rebooted.
var errRebooted = errors.New("gatomqtt-twin: board rebooted")

// boardLine is the serial line as the board's runs see it. A reboot
// starts a new run of the core on the same line; the old run's link must
// then neither read the new run's bytes nor write after it. So one pump
// reads the line for every run and hands the bytes to the current run
// only, and each run gets its own view (attach), which its link closes
// when it stops. Bytes that arrive between two runs are lost, as they
// are while a board reboots.
type boardLine struct {
	line io.ReadWriter

	mu  sync.Mutex
	cur *boardRun
	err error // why the line failed, once it has
}

func newBoardLine(line io.ReadWriter) *boardLine {
	b := &boardLine{line: line}
	go b.pump()
	return b
}

// pump reads the line until it fails, which ends the current run.
func (b *boardLine) pump() {
	buf := make([]byte, 4096)
	for {
		n, err := b.line.Read(buf)
		b.mu.Lock()
		cur := b.cur
		if err != nil {
			b.err = err
		}
		b.mu.Unlock()
		if cur != nil && n > 0 {
			// Fails only once cur is closed: the bytes were lost in a
			// reboot.
			cur.pw.Write(buf[:n])
		}
		if err != nil {
			if cur != nil {
				cur.pw.CloseWithError(err)
			}
			return
		}
	}
}

// attach starts a new run on the line. The previous run must be closed.
func (b *boardLine) attach() *boardRun {
	pr, pw := io.Pipe()
	r := &boardRun{line: b.line, pr: pr, pw: pw}
	b.mu.Lock()
	b.cur = r
	err := b.err
	b.mu.Unlock()
	if err != nil {
		pw.CloseWithError(err)
	}
	return r
}

// boardRun is one run's view of the line: an io.ReadWriteCloser for its link.
type boardRun struct {
	line   io.Writer
	pr     *io.PipeReader
	pw     *io.PipeWriter
	closed atomic.Bool
}

func (r *boardRun) Read(p []byte) (int, error) { return r.pr.Read(p) }

// Write writes to the line until the run is closed. A Write already under
// way when the run is closed goes on: the line does not take back what a
// board was sending when it reset.
func (r *boardRun) Write(p []byte) (int, error) {
	if r.closed.Load() {
		return 0, errRebooted
	}
	return r.line.Write(p)
}

// Close ends the run: its Reads and Writes fail from now on, and the pump
// drops what it was handing it.
func (r *boardRun) Close() error {
	r.closed.Store(true)
	r.pr.CloseWithError(errRebooted)
	r.pw.CloseWithError(errRebooted)
	return nil
}
