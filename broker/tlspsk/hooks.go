package tlspsk

import "time"

// testHooks let tests make a well-keyed peer misbehave. A Conn holds at
// most one (Conn.hooks, nil outside tests), and the code consults it only
// through the methods below, each named for the point it is called at.
// The methods accept a nil *testHooks, so a call site needs no check and
// production connections pay one nil comparison per point.
type testHooks struct {
	closeNotifyTimeout  time.Duration      // replaces closeNotifyTimeout
	clientHello         func(*clientHello) // a client's, before it is sent
	receivedClientHello func(*clientHello) // a server's, as parsed
	encryptedExtensions func(*encryptedExtensions)
	finished            func(verifyData []byte)
	binderChecked       func(index int, verified bool)
}

// onClientHello edits a client's first ClientHello before its binder is
// computed.
func (h *testHooks) onClientHello(ch *clientHello) {
	if h != nil && h.clientHello != nil {
		h.clientHello(ch)
	}
}

// onReceivedClientHello edits a ClientHello the server has just parsed,
// before it is checked.
func (h *testHooks) onReceivedClientHello(ch *clientHello) {
	if h != nil && h.receivedClientHello != nil {
		h.receivedClientHello(ch)
	}
}

// onBinderChecked tells that a server has compared the PSK binder at
// index with the one it computed, and whether they matched.
func (h *testHooks) onBinderChecked(index int, verified bool) {
	if h != nil && h.binderChecked != nil {
		h.binderChecked(index, verified)
	}
}

// onEncryptedExtensions edits the server's EncryptedExtensions before they
// are marshalled.
func (h *testHooks) onEncryptedExtensions(ee *encryptedExtensions) {
	if h != nil && h.encryptedExtensions != nil {
		h.encryptedExtensions(ee)
	}
}

// onFinished edits this side's verify_data in place before it is sent, and
// returns it.
func (h *testHooks) onFinished(verify []byte) []byte {
	if h != nil && h.finished != nil {
		h.finished(verify)
	}
	return verify
}

// closeNotifyWait returns how long Close waits for the transport to take
// close_notify: d unless a test shortened it.
func (h *testHooks) closeNotifyWait(d time.Duration) time.Duration {
	if h != nil && h.closeNotifyTimeout != 0 {
		return h.closeNotifyTimeout
	}
	return d
}
