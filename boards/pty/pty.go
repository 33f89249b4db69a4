package pty

import (
	"errors"
	"os"
)

// ErrUnsupported is returned by Open on systems other than Linux.
var ErrUnsupported = errors.New("pty: pseudo-terminals are implemented for Linux only")

// PTY is an open pseudo-terminal.
type PTY struct {
	// Master is the board's end: what is written to it is read from the
	// slave, and what the slave's client writes is read from it. Close
	// wakes a Read or Write blocked on it.
	Master *os.File
	// SlavePath is the host's end, such as /dev/pts/3.
	SlavePath string

	slave *os.File // held open so that Master never reads EIO
}

// Close closes both ends. A client that still has the slave open then
// reads end of file or an error.
func (p *PTY) Close() error {
	return errors.Join(p.Master.Close(), p.slave.Close())
}
