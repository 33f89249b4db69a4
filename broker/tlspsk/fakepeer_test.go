package tlspsk

import (
	"crypto/ecdh"
	"crypto/rand"
	"io"
	"net"
	"testing"
	"time"
)

// fakePeer speaks raw records to a real Conn, so tests can send what no
// well-behaved peer would.
type fakePeer struct {
	t    *testing.T
	conn net.Conn
}

func record(typ recordType, payload []byte) []byte {
	r := []byte{byte(typ), 3, 3, byte(len(payload) >> 8), byte(len(payload))}
	return append(r, payload...)
}

func (f *fakePeer) send(recs ...[]byte) {
	for _, r := range recs {
		if _, err := f.conn.Write(r); err != nil {
			f.t.Fatalf("fake peer write: %v", err)
		}
	}
}

// readRecord reads one raw record.
func (f *fakePeer) readRecord() (recordType, []byte, error) {
	hdr := make([]byte, headerLen)
	if _, err := io.ReadFull(f.conn, hdr); err != nil {
		return 0, nil, err
	}
	payload := make([]byte, int(hdr[3])<<8|int(hdr[4]))
	if _, err := io.ReadFull(f.conn, payload); err != nil {
		return 0, nil, err
	}
	return recordType(hdr[0]), payload, nil
}

// readHandshake reads one unprotected handshake message that fits one
// record, which is all this package sends before keys are set.
func (f *fakePeer) readHandshake() []byte {
	f.t.Helper()
	typ, p, err := f.readRecord()
	if err != nil {
		f.t.Fatalf("fake peer read: %v", err)
	}
	if typ != recordHandshake {
		f.t.Fatalf("fake peer read record type %d (%x), want handshake", typ, p)
	}
	return p
}

// readAlert reads records until an alert, which must be unprotected.
func (f *fakePeer) readAlert() (Alert, bool) {
	for {
		typ, p, err := f.readRecord()
		if err != nil {
			return 0, false
		}
		if typ == recordAlert && len(p) == 2 {
			return Alert(p[1]), true
		}
	}
}

// againstServer runs a Server with scfg and lets the fake client act; it
// returns the alert the client read and the server's handshake error.
func againstServer(t *testing.T, scfg *Config, act func(f *fakePeer)) (Alert, bool, error) {
	t.Helper()
	return againstFake(t, func(nc net.Conn) *Conn { return ServerOver(nc, scfg) }, act)
}

// againstClient runs a Client with ccfg against the fake server.
func againstClient(t *testing.T, ccfg *Config, act func(f *fakePeer)) (Alert, bool, error) {
	t.Helper()
	return againstFake(t, func(nc net.Conn) *Conn { return ClientOver(nc, ccfg) }, act)
}

// againstFake runs the handshake of the Conn that wrap makes over one end
// of a pipe while the fake peer on the other end acts, then reads the
// alert the Conn sent.
func againstFake(t *testing.T, wrap func(net.Conn) *Conn, act func(f *fakePeer)) (Alert, bool, error) {
	t.Helper()
	peer, own := memPipe()
	deadline := time.Now().Add(testLimit)
	peer.SetDeadline(deadline)
	own.SetDeadline(deadline)
	defer peer.Close()
	defer own.Close()
	c := wrap(own)
	done := make(chan error, 1)
	go func() { done <- c.Handshake() }()
	f := &fakePeer{t: t, conn: peer}
	act(f)
	alert, ok := f.readAlert()
	select {
	case err := <-done:
		return alert, ok, err
	case <-time.After(testLimit):
		t.Fatal("handshake against the fake peer did not end")
		return 0, false, nil
	}
}

// testHello is a valid ClientHello for serverConfig's "board-7" offering
// psk_dhe_ke with an X25519 share.
func testHello(t *testing.T) *clientHello {
	t.Helper()
	priv, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 32)
	rand.Read(random)
	return &clientHello{
		vers:              versionTLS12,
		random:            random,
		cipherSuites:      []uint16{uint16(TLS_AES_128_GCM_SHA256)},
		compression:       []byte{0},
		supportedVersions: []uint16{versionTLS13},
		hasGroups:         true,
		groups:            []Group{X25519, P256},
		hasKeyShares:      true,
		keyShares:         []keyShare{{X25519, priv.PublicKey().Bytes()}},
		hasPSKModes:       true,
		pskModes:          []uint8{uint8(KeyExchangePSKDHE)},
		hasPSK:            true,
		identities:        []pskIdentity{{identity: []byte("board-7")}},
		binders:           [][]byte{make([]byte, hashLen)},
	}
}

// signed marshals ch with a valid binder for key (prefix: the transcript
// before it, after a HelloRetryRequest).
func signed(ch *clientHello, key, prefix []byte) []byte {
	msg := ch.marshal()
	signBinder(msg, prefix, binderKey(earlySecret(key), true))
	return msg
}

// withoutExt returns ch's extensions minus typ.
func withoutExt(ch *clientHello, typ uint16) []extension {
	var out []extension
	for _, e := range ch.extensions() {
		if e.typ != typ {
			out = append(out, e)
		}
	}
	return out
}

// testServerHello answers ch as a server would, before any tampering.
func testServerHello(t *testing.T, ch *clientHello) *serverHello {
	t.Helper()
	priv, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &serverHello{
		vers:             versionTLS12,
		random:           make([]byte, 32),
		sessionID:        ch.sessionID,
		suite:            ch.cipherSuites[0],
		supportedVersion: versionTLS13,
		hasKeyShare:      true,
		keyShare:         keyShare{X25519, priv.PublicKey().Bytes()},
		hasPSK:           true,
	}
}
