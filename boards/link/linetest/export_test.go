package linetest

// BlockedRead reports whether a Read is blocked on e, so that tests can
// close the line under a Read that is really waiting.
func (e *End) BlockedRead() bool { r, _ := e.rx.blocked(); return r > 0 }

// BlockedWrite reports whether a Write is blocked on e.
func (e *End) BlockedWrite() bool { _, w := e.tx.blocked(); return w > 0 }
