package linetest

import (
	"fmt"
	"sync"
	"time"
)

// Config describes a line. The zero Config is an unpaced, perfect line.
type Config struct {
	Baud   int    // bits per second at 10 bits a byte (8N1); 0 means unpaced
	Faults Faults // applied to both directions, each with its own source
}

// Pipe returns the two ends of a full-duplex line: what is written to a
// is read from b, and what is written to b is read from a. It panics if
// cfg is invalid (a negative Baud or Delay, a probability outside [0, 1]).
func Pipe(cfg Config) (a, b *End) {
	if cfg.Baud < 0 {
		panic(fmt.Sprintf("linetest: negative Baud %d", cfg.Baud))
	}
	if err := cfg.Faults.validate(); err != nil {
		panic(err)
	}
	p := &pipe{done: make(chan struct{})}
	epoch := time.Now()
	p.ab = newLine(cfg, epoch, p.done, 0)
	p.ba = newLine(cfg, epoch, p.done, 1)
	return &End{tx: p.ab, rx: p.ba, pipe: p}, &End{tx: p.ba, rx: p.ab, pipe: p}
}

type pipe struct {
	ab, ba *line
	once   sync.Once
	done   chan struct{}
}

// End is one end of a line. It is an io.ReadWriteCloser.
type End struct {
	tx, rx *line
	pipe   *pipe
}

// Read blocks until at least one byte has arrived and returns what has
// arrived, up to len(p). After Close (on either end) it returns the bytes
// that had arrived and then io.EOF.
func (e *End) Read(p []byte) (int, error) { return e.rx.read(p) }

// Write sends p and returns when its last byte has left this end; on a
// paced line that is len(p)*10/Baud seconds after the line was free. If
// Close cuts it short, it returns the bytes that left and
// io.ErrClosedPipe.
func (e *End) Write(p []byte) (int, error) { return e.tx.write(p) }

// Close closes both directions of the line and wakes blocked Reads and
// Writes on both ends. Closing again does nothing.
func (e *End) Close() error {
	e.pipe.once.Do(func() {
		e.pipe.ab.close()
		e.pipe.ba.close()
		close(e.pipe.done)
	})
	return nil
}

// Stats reports what this end has sent so far.
func (e *End) Stats() Stats { return e.tx.snapshot() }
