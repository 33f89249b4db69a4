package tlspsk

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
)

// readWriter reads from r and discards writes (answers to KeyUpdates,
// alerts).
type readWriter struct{ r io.Reader }

func (rw readWriter) Read(p []byte) (int, error)  { return rw.r.Read(p) }
func (rw readWriter) Write(p []byte) (int, error) { return len(p), nil }
func (rw readWriter) Close() error                { return nil }

// checkFailure fails the test unless err is one of the outcomes the
// package promises for bad input.
func checkFailure(t *testing.T, err error) {
	t.Helper()
	if err == nil || err == io.EOF || err == io.ErrUnexpectedEOF {
		return
	}
	var ae *AlertError
	if errors.As(err, &ae) {
		return
	}
	if a, ok := SentAlert(err); ok && a != AlertInternalError {
		return
	}
	t.Fatalf("unexpected failure %T: %v", err, err)
}

// FuzzRecordLayer feeds a client whose handshake is done with a stream
// built from the input: records sealed with the right keys (any inner
// type, padding, KeyUpdates the writer follows), unprotected records and
// raw garbage. The client must never panic or hang, must fail only with
// the package's errors, and must deliver application data exactly as
// sealed, up to the first failure.
func FuzzRecordLayer(f *testing.F) {
	f.Add([]byte{0, 23, 5, 'h', 'e', 'l', 'l', 'o'})
	f.Add([]byte{0, 22, 5, typeKeyUpdate, 0, 0, 1, 1, 0, 23, 2, 'o', 'k'})
	f.Add([]byte{0, 22, 8, typeNewSessionTicket, 0, 0, 4, 1, 2, 3, 4, 0, 23, 1, 'x'})
	f.Add([]byte{0, 22, 2, typeNewSessionTicket, 0, 0, 22, 2, 0, 0, 23, 1, 'y'})
	f.Add([]byte{4 << 2, 23, 3, 'p', 'a', 'd'})
	f.Add([]byte{0, 21, 2, 1, 0})
	f.Add([]byte{0, 21, 2, 2, 20})
	f.Add([]byte{1, 20, 1, 1})
	f.Add([]byte{2, 0, 5, 23, 3, 3, 0x40, 0x20})
	f.Add([]byte{3, 23, 200})
	f.Fuzz(func(t *testing.T, data []byte) {
		gcm := suiteByID(uint16(TLS_AES_128_GCM_SHA256))
		secret := bytes.Repeat([]byte{0x42}, hashLen)
		w := &Conn{}
		w.out.setSecret(gcm, secret)
		buf := make([]byte, recordBufSize(MaxPlaintext+1)+256)
		var stream, want []byte
		for len(data) >= 3 {
			flags, typ, n := data[0], data[1], int(data[2])
			data = data[3:]
			n = min(n, len(data))
			content := data[:n]
			data = data[n:]
			switch flags & 3 {
			case 0, 3: // sealed; 3 repeats the content to make it large
				if flags&3 == 3 {
					content = bytes.Repeat(append(content, typ), 600)[:min(MaxPlaintext, 600*(n+1))]
				}
				inner := append(append([]byte(nil), content...), typ)
				inner = append(inner, make([]byte, int(flags>>2))...)
				nonce, _ := w.out.nextNonce()
				hdr := []byte{23, 3, 3, byte((len(inner) + 16) >> 8), byte(len(inner) + 16)}
				stream = append(stream, w.out.aead.Seal(hdr, nonce, inner, hdr)...)
				// What the receiver sees: the last non-zero byte is the
				// type (a zero type byte counts as padding).
				end := len(inner) - 1
				for end >= 0 && inner[end] == 0 {
					end--
				}
				if end < 0 {
					continue
				}
				typ, content = inner[end], inner[:end]
				if recordType(typ) == recordApplicationData {
					want = append(want, content...)
				}
				if recordType(typ) == recordHandshake && len(content) == 5 && content[0] == typeKeyUpdate &&
					content[3] == 1 && content[4] <= 1 && content[1] == 0 && content[2] == 0 {
					w.out.update()
				}
			case 1: // unprotected record
				rec, _ := (&Conn{}).sealRecord(buf, recordType(typ), content)
				stream = append(stream, rec...)
			case 2: // raw bytes
				stream = append(stream, content...)
			}
		}
		c := newConn(readWriter{bytes.NewReader(stream)}, &Config{MaxFragmentLength: 512}, true)
		c.in.setSecret(gcm, secret)
		c.out.setSecret(gcm, bytes.Repeat([]byte{0x24}, hashLen))
		c.handshakeDone.Store(true)
		got, err := io.ReadAll(c)
		if !bytes.HasPrefix(want, got) {
			t.Fatalf("read %q, which is not a prefix of the %d bytes sealed", got, len(want))
		}
		checkFailure(t, err)
		if c.BufferBytes() > BufferBytes(512)+recordBufSize(513) {
			t.Fatalf("buffers grew to %d bytes", c.BufferBytes())
		}
	})
}

// FuzzHandshakeMessages runs the handshake message parsers on the input,
// checks that what a ClientHello parse understood survives re-encoding,
// and feeds the input as a ClientHello to a server.
func FuzzHandshakeMessages(f *testing.F) {
	if v, err := os.ReadFile("testdata/rfc8448-section4.txt"); err == nil && len(v) > 0 {
		vals := map[string][]byte{}
		for _, line := range bytes.Split(v, []byte("\n")) {
			if name, hexv, ok := bytes.Cut(line, []byte(" ")); ok && name[0] != '#' {
				b, err := decodeHex(bytes.TrimSpace(hexv))
				if err == nil {
					vals[string(name)] = b
				}
			}
		}
		f.Add(vals["client_hello"])
		if sh := vals["server_hello_record"]; len(sh) > headerLen {
			f.Add(sh[headerLen:])
		}
	}
	ch := &clientHello{
		vers: versionTLS12, random: make([]byte, 32), cipherSuites: []uint16{0x1301, 0x1305},
		compression: []byte{0}, supportedVersions: []uint16{versionTLS13},
		hasGroups: true, groups: []Group{X25519, P256}, hasKeyShares: true,
		keyShares: []keyShare{{X25519, bytes.Repeat([]byte{9}, 32)}}, hasPSKModes: true, pskModes: []uint8{0, 1},
		hasPSK: true, identities: []pskIdentity{{identity: []byte("board-7")}}, binders: [][]byte{make([]byte, 32)},
		mfl: 1, recordSizeLimit: 300, cookie: []byte{1, 2},
	}
	f.Add(ch.marshal())
	f.Add((&serverHello{isHRR: true, vers: versionTLS12, suite: 0x1301, supportedVersion: versionTLS13,
		hasKeyShare: true, selectedGroup: P256, cookie: []byte{7}}).marshal())
	f.Add((&encryptedExtensions{mfl: 2, recordSizeLimit: 1000}).marshal())
	f.Add(marshalKeyUpdate(1))
	f.Add(marshalFinished(make([]byte, 32)))
	f.Fuzz(func(t *testing.T, msg []byte) {
		if ch, err := parseClientHello(msg); err == nil {
			again, err := parseClientHello(ch.marshal())
			if err != nil {
				t.Fatalf("re-encoded ClientHello does not parse: %v", err)
			}
			if !sameHello(ch, again) {
				t.Fatalf("ClientHello changed on re-encoding:\n%+v\n%+v", ch, again)
			}
		} else {
			checkFailure(t, err)
		}
		if sh, err := parseServerHello(msg); err == nil {
			if _, err := parseServerHello(sh.marshal()); err != nil {
				t.Fatalf("re-encoded ServerHello does not parse: %v", err)
			}
		} else {
			checkFailure(t, err)
		}
		if _, err := parseEncryptedExtensions(msg); err != nil {
			checkFailure(t, err)
		}
		if _, err := parseFinished(msg); err != nil {
			checkFailure(t, err)
		}
		if _, err := parseKeyUpdate(msg); err != nil {
			checkFailure(t, err)
		}
		// The whole server path, record layer included.
		var stream []byte
		for rest := msg; len(rest) > 0; {
			n := min(len(rest), MaxPlaintext)
			stream = append(stream, record(recordHandshake, rest[:n])...)
			rest = rest[n:]
		}
		s := ServerOver(readWriter{bytes.NewReader(stream)}, serverConfig())
		err := s.Handshake()
		if err == nil {
			t.Fatal("server finished a handshake from one message")
		}
		checkFailure(t, err)
	})
}

func sameHello(a, b *clientHello) bool {
	eq := func(x, y []byte) bool { return bytes.Equal(x, y) }
	if a.vers != b.vers || !eq(a.random, b.random) || !eq(a.sessionID, b.sessionID) ||
		!eq(a.compression, b.compression) || len(a.cipherSuites) != len(b.cipherSuites) ||
		a.hasExtensions != b.hasExtensions && a.hasExtensions ||
		a.mfl != b.mfl || a.recordSizeLimit != b.recordSizeLimit || a.earlyData != b.earlyData ||
		!eq(a.cookie, b.cookie) || a.hasPSK != b.hasPSK || a.hasPSKModes != b.hasPSKModes ||
		!eq(a.pskModes, b.pskModes) || len(a.groups) != len(b.groups) || len(a.keyShares) != len(b.keyShares) ||
		len(a.identities) != len(b.identities) || len(a.binders) != len(b.binders) || a.bindersLen != b.bindersLen {
		return false
	}
	for i := range a.keyShares {
		if a.keyShares[i].group != b.keyShares[i].group || !eq(a.keyShares[i].data, b.keyShares[i].data) {
			return false
		}
	}
	for i := range a.identities {
		if !eq(a.identities[i].identity, b.identities[i].identity) || a.identities[i].age != b.identities[i].age ||
			!eq(a.binders[i], b.binders[i]) {
			return false
		}
	}
	return true
}

func decodeHex(b []byte) ([]byte, error) {
	out := make([]byte, len(b)/2)
	for i := range out {
		hi, lo := unhex(b[2*i]), unhex(b[2*i+1])
		if hi > 15 || lo > 15 {
			return nil, errors.New("not hex")
		}
		out[i] = hi<<4 | lo
	}
	return out, nil
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return 255
}
