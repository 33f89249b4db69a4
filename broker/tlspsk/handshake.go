package tlspsk

// What the client and server handshakes share: message I/O and the naming
// of their stages in errors.

// inStage names the handshake stage in which err, a failure found on this
// side, happened, so that a log line says where the handshake broke off.
// Errors from the transport and alerts from the peer pass unchanged: a
// caller may compare them with io.EOF or test them for a timeout, and the
// peer's alert already says what went wrong.
func inStage(stage string, err error) error {
	// fail makes a localError for each failure, and nothing reads one
	// before the handshake returns it, so naming the stage in place is
	// safe and costs the failure path no allocation. The innermost stage
	// names it.
	if le, ok := err.(*localError); ok && le.stage == "" {
		le.stage = stage
	}
	return err
}

// writeHandshake sends one handshake message, or several in one record.
func (c *Conn) writeHandshake(msg []byte) error {
	c.outMu.Lock()
	defer c.outMu.Unlock()
	_, err := c.writeRecordLocked(recordHandshake, msg)
	return err
}

// readHandshakeOfType returns the next handshake message, which must be
// of type typ; otherwise the handshake fails with unexpected_message and
// the detail expected. The message aliases the Conn's buffers until the
// next read. c.inMu must be held.
func (c *Conn) readHandshakeOfType(typ uint8, expected string) ([]byte, error) {
	msg, err := c.readHandshake()
	if err != nil {
		return nil, err
	}
	if msg[0] != typ {
		return nil, unexpected(expected)
	}
	return msg, nil
}

// setOutSecret switches what this side sends to the keys of secret.
func (c *Conn) setOutSecret(suite *cipherSuite, secret []byte) error {
	c.outMu.Lock()
	defer c.outMu.Unlock()
	return c.out.setSecret(suite, secret)
}
