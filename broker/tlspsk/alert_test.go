package tlspsk

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"testing"
)

// TestHandshakeRefusals: real peers whose configurations do not match.
// The failing side reports the sentinel and the alert it sent; the other
// side reports the alert it received.
func TestHandshakeRefusals(t *testing.T) {
	tests := []struct {
		name        string
		client, svr *Config
		sentinel    error
		alert       Alert
	}{
		{"unknown identity", clientConfig(func(c *Config) { c.PSK.Identity = "stranger" }), serverConfig(),
			ErrUnknownIdentity, AlertDecryptError},
		{"unknown identity revealed", clientConfig(func(c *Config) { c.PSK.Identity = "stranger" }),
			serverConfig(func(c *Config) { c.RevealUnknownIdentity = true }),
			ErrUnknownIdentity, AlertUnknownPSKIdentity},
		{"wrong key", clientConfig(func(c *Config) { c.PSK.Key = otherKey }), serverConfig(),
			ErrBadBinder, AlertDecryptError},
		{"no common suite", clientConfig(func(c *Config) { c.CipherSuites = []CipherSuite{TLS_AES_128_CCM_8_SHA256} }),
			serverConfig(func(c *Config) { c.CipherSuites = []CipherSuite{TLS_AES_128_GCM_SHA256} }),
			ErrNoCipherSuite, AlertHandshakeFailure},
		{"no common mode", clientConfig(func(c *Config) { c.KeyExchangeModes = []KeyExchangeMode{KeyExchangePSK} }), serverConfig(),
			ErrNoKeyExchangeMode, AlertHandshakeFailure},
		{"no common group", clientConfig(func(c *Config) { c.Groups = []Group{X25519} }),
			serverConfig(func(c *Config) { c.Groups = []Group{P256} }),
			ErrNoGroup, AlertHandshakeFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := handshake(t, overMem, tt.client, tt.svr)
			wantLocal(t, "server", p.svrErr, tt.sentinel, tt.alert)
			wantRemote(t, "client", p.clientErr, tt.alert)
			// The failure is final.
			if _, err := p.client.Write([]byte("x")); err == nil {
				t.Error("client write after a failed handshake succeeded")
			}
		})
	}
}

// TestFinishedAndExtensionFailures uses hooks to make a well-keyed peer
// send a bad Finished or EncryptedExtensions.
func TestFinishedAndExtensionFailures(t *testing.T) {
	flip := func(v []byte) { v[0] ^= 1 }
	tests := []struct {
		name     string
		client   *Config
		hooks    func(p *pair)
		sentinel error
		alert    Alert
	}{
		{"bad server Finished", clientConfig(), func(p *pair) { p.server.hooks = &testHooks{finished: flip} },
			ErrBadFinished, AlertDecryptError},
		{"unsolicited max_fragment_length", clientConfig(), func(p *pair) {
			p.server.hooks = &testHooks{encryptedExtensions: func(ee *encryptedExtensions) { ee.mfl = 1 }}
		}, ErrUnsupportedExtension, AlertUnsupportedExtension},
		{"max_fragment_length echo differs", clientConfig(func(c *Config) { c.MaxFragmentLength = 512 }), func(p *pair) {
			p.server.hooks = &testHooks{encryptedExtensions: func(ee *encryptedExtensions) { ee.mfl = 2 }}
		}, ErrIllegalParameter, AlertIllegalParameter},
		{"unsolicited record_size_limit", clientConfig(), func(p *pair) {
			p.server.hooks = &testHooks{encryptedExtensions: func(ee *encryptedExtensions) { ee.recordSizeLimit = 100 }}
		}, ErrUnsupportedExtension, AlertUnsupportedExtension},
		{"record_size_limit below 64", clientConfig(func(c *Config) { c.RecordSizeLimit = 100 }), func(p *pair) {
			p.server.hooks = &testHooks{encryptedExtensions: func(ee *encryptedExtensions) { ee.recordSizeLimit = 63 }}
		}, ErrIllegalParameter, AlertIllegalParameter},
		{"unknown extension in EncryptedExtensions", clientConfig(), func(p *pair) {
			p.server.hooks = &testHooks{encryptedExtensions: func(ee *encryptedExtensions) {
				ee.extra = []extension{{0x1234, nil}}
			}}
		}, ErrUnsupportedExtension, AlertUnsupportedExtension},
		{"early_data answered but not offered", clientConfig(), func(p *pair) {
			p.server.hooks = &testHooks{encryptedExtensions: func(ee *encryptedExtensions) {
				ee.extra = []extension{{extEarlyData, nil}}
			}}
		}, ErrUnsupportedExtension, AlertUnsupportedExtension},
		{"malformed EncryptedExtensions", clientConfig(), func(p *pair) {
			p.server.hooks = &testHooks{encryptedExtensions: func(ee *encryptedExtensions) {
				ee.extra = []extension{{extMaxFragmentLength, []byte{1, 2}}}
			}}
		}, ErrDecode, AlertDecodeError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := handshake(t, overMem, tt.client, serverConfig(), tt.hooks)
			wantLocal(t, "client", p.clientErr, tt.sentinel, tt.alert)
			wantRemote(t, "server", p.svrErr, tt.alert)
		})
	}

	t.Run("bad client Finished", func(t *testing.T) {
		p := handshake(t, overMem, clientConfig(), serverConfig(), func(p *pair) { p.client.hooks = &testHooks{finished: flip} })
		wantLocal(t, "server", p.svrErr, ErrBadFinished, AlertDecryptError)
		// The client learns on its next read.
		_, err := p.client.Read(make([]byte, 1))
		wantRemote(t, "client", err, AlertDecryptError)
	})
}

// TestServerRefusesBadClientHello sends crafted ClientHellos and checks
// the alert and the server's error for each.
func TestServerRefusesBadClientHello(t *testing.T) {
	hs := func(msg []byte) []byte { return record(recordHandshake, msg) }
	tests := []struct {
		name     string
		build    func(t *testing.T) [][]byte
		sentinel error
		alert    Alert
	}{
		{"missing psk_key_exchange_modes", func(t *testing.T) [][]byte {
			ch := testHello(t)
			return [][]byte{hs(ch.marshalWith(withoutExt(ch, extPSKModes)))}
		}, ErrMissingExtension, AlertMissingExtension},
		{"pre_shared_key not last", func(t *testing.T) [][]byte {
			ch := testHello(t)
			exts := ch.extensions()
			last := exts[len(exts)-1]
			exts = append([]extension{last}, exts[:len(exts)-1]...)
			return [][]byte{hs(ch.marshalWith(exts))}
		}, ErrIllegalParameter, AlertIllegalParameter},
		{"no supported_versions", func(t *testing.T) [][]byte {
			ch := testHello(t)
			return [][]byte{hs(ch.marshalWith(withoutExt(ch, extSupportedVersions)))}
		}, ErrProtocolVersion, AlertProtocolVersion},
		{"TLS 1.2 only", func(t *testing.T) [][]byte {
			ch := testHello(t)
			ch.supportedVersions = []uint16{versionTLS12}
			return [][]byte{hs(signed(ch, testKey, nil))}
		}, ErrProtocolVersion, AlertProtocolVersion},
		{"no extensions", func(t *testing.T) [][]byte {
			ch := testHello(t)
			msg := ch.marshalWith(nil)
			return [][]byte{hs(appendHandshake(typeClientHello, msg[4:len(msg)-2]))}
		}, ErrProtocolVersion, AlertProtocolVersion},
		{"compression offered", func(t *testing.T) [][]byte {
			ch := testHello(t)
			ch.compression = []byte{1, 0}
			return [][]byte{hs(signed(ch, testKey, nil))}
		}, ErrIllegalParameter, AlertIllegalParameter},
		{"no pre_shared_key", func(t *testing.T) [][]byte {
			ch := testHello(t)
			return [][]byte{hs(ch.marshalWith(withoutExt(ch, extPreSharedKey)))}
		}, ErrNoPSK, AlertHandshakeFailure},
		{"truncated", func(t *testing.T) [][]byte {
			msg := signed(testHello(t), testKey, nil)
			return [][]byte{hs(appendHandshake(typeClientHello, msg[4:len(msg)-10]))}
		}, ErrDecode, AlertDecodeError},
		{"trailing bytes", func(t *testing.T) [][]byte {
			msg := signed(testHello(t), testKey, nil)
			return [][]byte{hs(appendHandshake(typeClientHello, append(msg[4:], 0)))}
		}, ErrDecode, AlertDecodeError},
		{"repeated extension", func(t *testing.T) [][]byte {
			ch := testHello(t)
			exts := ch.extensions()
			exts = append([]extension{exts[0]}, exts...)
			return [][]byte{hs(ch.marshalWith(exts))}
		}, ErrIllegalParameter, AlertIllegalParameter},
		{"more identities than binders", func(t *testing.T) [][]byte {
			ch := testHello(t)
			ch.identities = append(ch.identities, pskIdentity{identity: []byte("board-1")})
			return [][]byte{hs(signed(ch, testKey, nil))}
		}, ErrIllegalParameter, AlertIllegalParameter},
		{"unknown identity", func(t *testing.T) [][]byte {
			ch := testHello(t)
			ch.identities[0].identity = []byte("nobody\x00\xff")
			return [][]byte{hs(signed(ch, testKey, nil))}
		}, ErrUnknownIdentity, AlertDecryptError},
		{"binder signed with another key", func(t *testing.T) [][]byte {
			return [][]byte{hs(signed(testHello(t), otherKey, nil))}
		}, ErrBadBinder, AlertDecryptError},
		{"short binder", func(t *testing.T) [][]byte {
			ch := testHello(t)
			ch.binders[0] = make([]byte, 31)
			return [][]byte{hs(ch.marshal())}
		}, ErrDecode, AlertDecodeError},
		{"long binder", func(t *testing.T) [][]byte {
			ch := testHello(t)
			ch.binders[0] = make([]byte, 48)
			return [][]byte{hs(ch.marshal())}
		}, ErrBadBinder, AlertDecryptError},
		{"key share outside supported_groups", func(t *testing.T) [][]byte {
			ch := testHello(t)
			ch.groups = []Group{P256}
			return [][]byte{hs(signed(ch, testKey, nil))}
		}, ErrIllegalParameter, AlertIllegalParameter},
		{"two shares for one group", func(t *testing.T) [][]byte {
			ch := testHello(t)
			ch.keyShares = append(ch.keyShares, ch.keyShares[0])
			return [][]byte{hs(signed(ch, testKey, nil))}
		}, ErrIllegalParameter, AlertIllegalParameter},
		{"short X25519 share", func(t *testing.T) [][]byte {
			ch := testHello(t)
			ch.keyShares[0].data = ch.keyShares[0].data[:31]
			return [][]byte{hs(signed(ch, testKey, nil))}
		}, ErrIllegalParameter, AlertIllegalParameter},
		{"zero X25519 share", func(t *testing.T) [][]byte {
			ch := testHello(t)
			ch.keyShares[0].data = make([]byte, 32)
			return [][]byte{hs(signed(ch, testKey, nil))}
		}, ErrIllegalParameter, AlertIllegalParameter},
		{"P-256 share off the curve", func(t *testing.T) [][]byte {
			ch := testHello(t)
			bad := make([]byte, 65)
			bad[0] = 4
			bad[64] = 1
			ch.keyShares = []keyShare{{P256, bad}}
			return [][]byte{hs(signed(ch, testKey, nil))}
		}, ErrIllegalParameter, AlertIllegalParameter},
		{"psk_dhe_ke without key_share", func(t *testing.T) [][]byte {
			ch := testHello(t)
			ch.hasKeyShares, ch.keyShares = false, nil
			return [][]byte{hs(signed(ch, testKey, nil))}
		}, ErrMissingExtension, AlertMissingExtension},
		{"max_fragment_length code 9", func(t *testing.T) [][]byte {
			ch := testHello(t)
			ch.mfl = 9
			return [][]byte{hs(ch.marshal())}
		}, ErrIllegalParameter, AlertIllegalParameter},
		{"record_size_limit 10", func(t *testing.T) [][]byte {
			ch := testHello(t)
			ch.recordSizeLimit = 10
			return [][]byte{hs(ch.marshal())}
		}, ErrIllegalParameter, AlertIllegalParameter},
		{"Finished instead of ClientHello", func(t *testing.T) [][]byte {
			return [][]byte{hs(marshalFinished(make([]byte, 32)))}
		}, ErrUnexpectedMessage, AlertUnexpectedMessage},
		{"application data first", func(t *testing.T) [][]byte {
			return [][]byte{record(recordApplicationData, []byte("GET /"))}
		}, ErrUnexpectedMessage, AlertUnexpectedMessage},
		{"change_cipher_spec first", func(t *testing.T) [][]byte {
			return [][]byte{record(recordChangeCipherSpec, []byte{1})}
		}, ErrUnexpectedMessage, AlertUnexpectedMessage},
		{"unknown record type", func(t *testing.T) [][]byte {
			return [][]byte{record(99, []byte{1})}
		}, ErrUnexpectedMessage, AlertUnexpectedMessage},
		{"empty handshake record", func(t *testing.T) [][]byte {
			return [][]byte{record(recordHandshake, nil)}
		}, ErrUnexpectedMessage, AlertUnexpectedMessage},
		{"record above 2^14", func(t *testing.T) [][]byte {
			return [][]byte{{byte(recordHandshake), 3, 3, 0x40, 0x01}}
		}, ErrRecordOverflow, AlertRecordOverflow},
		{"malformed alert", func(t *testing.T) [][]byte {
			return [][]byte{record(recordAlert, []byte{2, 40, 0})}
		}, ErrDecode, AlertDecodeError},
		{"ClientHello not ending its record", func(t *testing.T) [][]byte {
			msg := signed(testHello(t), testKey, nil)
			return [][]byte{hs(append(msg, msg[:4]...))}
		}, ErrUnexpectedMessage, AlertUnexpectedMessage},
		{"ClientHello larger than the server's record limit", func(t *testing.T) [][]byte {
			ch := testHello(t)
			ch.cipherSuites = append(ch.cipherSuites, make([]uint16, 300)...)
			msg := signed(ch, testKey, nil)
			return [][]byte{hs(msg[:300]), hs(msg[300:])}
		}, ErrHandshakeTooLarge, AlertHandshakeFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scfg := serverConfig()
			if tt.sentinel == ErrHandshakeTooLarge {
				scfg.RecordSizeLimit = 512
			}
			alert, ok, err := againstServer(t, scfg, func(f *fakePeer) { f.send(tt.build(t)...) })
			if !ok || alert != tt.alert {
				t.Errorf("client read alert %v (%v), want %v", alert, ok, tt.alert)
			}
			wantLocal(t, "server", err, tt.sentinel, tt.alert)
		})
	}
}

// TestServerAcceptsFragmentedHello: a ClientHello split over records (and
// a compatibility ChangeCipherSpec before the second hello) is fine.
func TestServerAcceptsFragmentedHello(t *testing.T) {
	ch := testHello(t)
	ch.identities = append([]pskIdentity{{identity: []byte("stranger")}}, ch.identities...)
	ch.binders = append([][]byte{make([]byte, hashLen)}, ch.binders...)
	msg := ch.marshal()
	// Sign the binder of the second identity, the one the server knows.
	h := newTranscript()
	// The binders vector: a length prefix, then per binder a length
	// byte and a SHA-256 MAC.
	bindersLen := 2 + len(ch.binders)*(1+hashLen)
	h.add(msg[:len(msg)-bindersLen])
	copy(msg[len(msg)-hashLen:], finishedMAC(binderKey(earlySecret(testKey), true), h.sum()))
	_, _, err := againstServer(t, serverConfig(), func(f *fakePeer) {
		f.send(record(recordHandshake, msg[:3]), record(recordHandshake, msg[3:100]), record(recordHandshake, msg[100:]))
		sh, err := parseServerHello(f.readHandshake())
		if err != nil {
			t.Fatalf("server answered with %v", err)
		}
		if !sh.hasPSK || sh.pskIndex != 1 || sh.keyShare.group != X25519 {
			t.Errorf("ServerHello %+v, want the second identity and an X25519 share", sh)
		}
		f.conn.Close()
	})
	if err == nil {
		t.Error("server handshake succeeded against a peer that hung up")
	}
}

// TestServerRetryChecks: the second ClientHello must answer the
// HelloRetryRequest.
func TestServerRetryChecks(t *testing.T) {
	p256 := func(c *Config) { c.Groups = []Group{P256} }
	retry := func(t *testing.T, f *fakePeer, edit func(ch *clientHello)) {
		ch := testHello(t)
		msg1 := signed(ch, testKey, nil)
		f.send(record(recordHandshake, msg1))
		hrrMsg := f.readHandshake()
		hrr, err := parseServerHello(hrrMsg)
		if err != nil || !hrr.isHRR || hrr.selectedGroup != P256 {
			t.Fatalf("expected a HelloRetryRequest for P-256, got %+v, %v", hrr, err)
		}
		tr := newTranscript()
		prefix := append(tr.restartWithMessageHash(msg1), hrrMsg...)
		edit(ch)
		f.send(record(recordHandshake, signed(ch, testKey, prefix)))
	}
	tests := []struct {
		name     string
		edit     func(ch *clientHello)
		sentinel error
		alert    Alert
	}{
		{"same share again", func(ch *clientHello) {}, ErrIllegalParameter, AlertIllegalParameter},
		{"suite dropped", func(ch *clientHello) {
			ch.cipherSuites = []uint16{uint16(TLS_AES_128_CCM_SHA256)}
		}, ErrIllegalParameter, AlertIllegalParameter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			alert, ok, err := againstServer(t, serverConfig(p256), func(f *fakePeer) { retry(t, f, tt.edit) })
			if !ok || alert != tt.alert {
				t.Errorf("client read alert %v (%v), want %v", alert, ok, tt.alert)
			}
			wantLocal(t, "server", err, tt.sentinel, tt.alert)
		})
	}
	t.Run("binder without the retry prefix", func(t *testing.T) {
		alert, _, err := againstServer(t, serverConfig(p256), func(f *fakePeer) {
			ch := testHello(t)
			f.send(record(recordHandshake, signed(ch, testKey, nil)))
			f.readHandshake()
			ch.keyShares = []keyShare{{P256, p256Share(t)}}
			f.send(record(recordHandshake, signed(ch, testKey, nil)))
		})
		if alert != AlertDecryptError {
			t.Errorf("alert %v, want decrypt_error", alert)
		}
		wantLocal(t, "server", err, ErrBadBinder, AlertDecryptError)
	})
	t.Run("no second ClientHello", func(t *testing.T) {
		_, _, err := againstServer(t, serverConfig(p256), func(f *fakePeer) {
			f.send(record(recordHandshake, signed(testHello(t), testKey, nil)))
			f.readHandshake()
			f.send(record(recordHandshake, marshalFinished(make([]byte, 32))))
		})
		wantLocal(t, "server", err, ErrUnexpectedMessage, AlertUnexpectedMessage)
	})
}

// TestClientRefusesBadServerHello answers the real client with crafted
// ServerHellos and HelloRetryRequests.
func TestClientRefusesBadServerHello(t *testing.T) {
	tests := []struct {
		name     string
		client   *Config
		respond  func(t *testing.T, f *fakePeer, ch *clientHello)
		sentinel error
		alert    Alert
	}{
		{"no supported_versions", clientConfig(), edited(func(sh *serverHello) { sh.supportedVersion = 0 }),
			ErrProtocolVersion, AlertProtocolVersion},
		{"TLS 1.2 selected", clientConfig(), edited(func(sh *serverHello) { sh.supportedVersion = versionTLS12 }),
			ErrIllegalParameter, AlertIllegalParameter},
		{"suite not offered", clientConfig(), edited(func(sh *serverHello) { sh.suite = 0x1302 }),
			ErrIllegalParameter, AlertIllegalParameter},
		{"session ID echo differs", clientConfig(), edited(func(sh *serverHello) { sh.sessionID = []byte{1} }),
			ErrIllegalParameter, AlertIllegalParameter},
		{"compression", clientConfig(), edited(func(sh *serverHello) { sh.comp = 1 }),
			ErrIllegalParameter, AlertIllegalParameter},
		{"unrequested extension", clientConfig(), edited(func(sh *serverHello) { sh.extra = []extension{{extEarlyData, nil}} }),
			ErrUnsupportedExtension, AlertUnsupportedExtension},
		{"no pre_shared_key", clientConfig(), edited(func(sh *serverHello) { sh.hasPSK = false }),
			ErrNoPSK, AlertHandshakeFailure},
		{"second identity selected", clientConfig(), edited(func(sh *serverHello) { sh.pskIndex = 1 }),
			ErrIllegalParameter, AlertIllegalParameter},
		{"share in another group", clientConfig(), edited(func(sh *serverHello) { sh.keyShare = keyShare{P256, p256Share(t)} }),
			ErrIllegalParameter, AlertIllegalParameter},
		{"share not a point", clientConfig(), edited(func(sh *serverHello) { sh.keyShare.data = []byte{1, 2, 3} }),
			ErrIllegalParameter, AlertIllegalParameter},
		{"no share for a psk_dhe_ke-only client", clientConfig(), edited(func(sh *serverHello) { sh.hasKeyShare = false }),
			ErrMissingExtension, AlertMissingExtension},
		{"share for a psk_ke-only client", clientConfig(func(c *Config) { c.KeyExchangeModes = []KeyExchangeMode{KeyExchangePSK} }),
			edited(func(sh *serverHello) {}), ErrIllegalParameter, AlertIllegalParameter},
		{"retry for a group not offered", clientConfig(func(c *Config) { c.Groups = []Group{X25519} }),
			retryFor(P256), ErrIllegalParameter, AlertIllegalParameter},
		{"retry for the group already shared", clientConfig(), retryFor(X25519),
			ErrIllegalParameter, AlertIllegalParameter},
		{"retry that changes nothing", clientConfig(), retryFor(0),
			ErrIllegalParameter, AlertIllegalParameter},
		{"second retry", clientConfig(), func(t *testing.T, f *fakePeer, ch *clientHello) {
			retryFor(P256)(t, f, ch)
			f.readHandshake()
			retryFor(P256)(t, f, ch)
		}, ErrUnexpectedMessage, AlertUnexpectedMessage},
		{"suite changed after retry", clientConfig(), func(t *testing.T, f *fakePeer, ch *clientHello) {
			retryFor(P256)(t, f, ch)
			ch2, err := parseClientHello(f.readHandshake())
			if err != nil || len(ch2.keyShares) != 1 || ch2.keyShares[0].group != P256 || ch2.cookie != nil {
				t.Fatalf("second ClientHello %+v, %v", ch2, err)
			}
			sh := testServerHello(t, ch2)
			sh.suite = uint16(TLS_AES_128_CCM_SHA256)
			f.send(record(recordHandshake, sh.marshal()))
		}, ErrIllegalParameter, AlertIllegalParameter},
		{"EncryptedExtensions in the clear", clientConfig(), func(t *testing.T, f *fakePeer, ch *clientHello) {
			f.send(record(recordHandshake, (&encryptedExtensions{}).marshal()))
		}, ErrUnexpectedMessage, AlertUnexpectedMessage},
		{"ServerHello not ending its record", clientConfig(), func(t *testing.T, f *fakePeer, ch *clientHello) {
			msg := testServerHello(t, ch).marshal()
			f.send(record(recordHandshake, append(msg, (&encryptedExtensions{}).marshal()...)))
		}, ErrUnexpectedMessage, AlertUnexpectedMessage},
		{"record above 2^14", clientConfig(), func(t *testing.T, f *fakePeer, ch *clientHello) {
			f.send([]byte{byte(recordHandshake), 3, 3, 0x40, 0x01})
		}, ErrRecordOverflow, AlertRecordOverflow},
		{"record above the client's limit", clientConfig(func(c *Config) { c.MaxFragmentLength = 512 }),
			func(t *testing.T, f *fakePeer, ch *clientHello) {
				f.send(append([]byte{byte(recordHandshake), 3, 3, 0x04, 0x00}, make([]byte, 1024)...))
			}, ErrRecordOverflow, AlertRecordOverflow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			alert, ok, err := againstClient(t, tt.client, func(f *fakePeer) {
				ch, perr := parseClientHello(f.readHandshake())
				if perr != nil {
					t.Fatalf("client sent a bad ClientHello: %v", perr)
				}
				tt.respond(t, f, ch)
			})
			if !ok || alert != tt.alert {
				t.Errorf("server read alert %v (%v), want %v", alert, ok, tt.alert)
			}
			wantLocal(t, "client", err, tt.sentinel, tt.alert)
		})
	}
}

func edited(edit func(sh *serverHello)) func(t *testing.T, f *fakePeer, ch *clientHello) {
	return func(t *testing.T, f *fakePeer, ch *clientHello) {
		sh := testServerHello(t, ch)
		edit(sh)
		f.send(record(recordHandshake, sh.marshal()))
	}
}

// retryFor sends a HelloRetryRequest for group g (none when 0).
func retryFor(g Group) func(t *testing.T, f *fakePeer, ch *clientHello) {
	return func(t *testing.T, f *fakePeer, ch *clientHello) {
		hrr := &serverHello{isHRR: true, vers: versionTLS12, sessionID: ch.sessionID, suite: ch.cipherSuites[0],
			supportedVersion: versionTLS13, hasKeyShare: g != 0, selectedGroup: g}
		f.send(record(recordHandshake, hrr.marshal()))
	}
}

func p256Share(t *testing.T) []byte {
	t.Helper()
	// A nil reader works only where Go ignores the reader (a go line of
	// 1.26 or later); go.mod says 1.24, so pass one.
	k, err := newKeyShare(P256, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k.PublicKey().Bytes()
}

// TestPostHandshakeFailures: misbehaviour after the handshake.
func TestPostHandshakeFailures(t *testing.T) {
	// send writes a raw record from c with its current keys.
	send := func(c *Conn, typ recordType, data []byte) {
		c.outMu.Lock()
		defer c.outMu.Unlock()
		c.writeRecordLocked(typ, data)
	}
	tests := []struct {
		name     string
		act      func(p *pair) // misbehaves as the server, toward the client
		sentinel error
		alert    Alert
	}{
		{"KeyUpdate value 2", func(p *pair) { send(p.server, recordHandshake, []byte{typeKeyUpdate, 0, 0, 1, 2}) },
			ErrIllegalParameter, AlertIllegalParameter},
		{"KeyUpdate too long", func(p *pair) { send(p.server, recordHandshake, []byte{typeKeyUpdate, 0, 0, 2, 0, 0}) },
			ErrDecode, AlertDecodeError},
		{"KeyUpdate not ending its record", func(p *pair) {
			send(p.server, recordHandshake, append(marshalKeyUpdate(0), marshalKeyUpdate(0)...))
		}, ErrUnexpectedMessage, AlertUnexpectedMessage},
		{"CertificateRequest", func(p *pair) {
			send(p.server, recordHandshake, appendHandshake(typeCertificateRequest, []byte{0, 0, 0}))
		},
			ErrUnexpectedMessage, AlertUnexpectedMessage},
		{"ChangeCipherSpec after the handshake", func(p *pair) { p.svrNet.Write(record(recordChangeCipherSpec, []byte{1})) },
			ErrUnexpectedMessage, AlertUnexpectedMessage},
		{"unprotected alert after the handshake", func(p *pair) { p.svrNet.Write(record(recordAlert, []byte{2, 40})) },
			ErrUnexpectedMessage, AlertUnexpectedMessage},
		{"unprotected handshake after the handshake", func(p *pair) { p.svrNet.Write(record(recordHandshake, marshalKeyUpdate(0))) },
			ErrUnexpectedMessage, AlertUnexpectedMessage},
		{"tampered record", func(p *pair) {
			p.svrNet.(*memConn).onWrite = func(b []byte) []byte { b[len(b)-1] ^= 0x80; return b }
			p.server.Write([]byte("hello"))
		}, ErrBadRecordMAC, AlertBadRecordMAC},
		{"record without content type", func(p *pair) {
			c := p.server
			c.outMu.Lock()
			defer c.outMu.Unlock()
			// Seal a record whose inner plaintext is all padding.
			buf := make([]byte, 64)
			nonce, _ := c.out.nextNonce()
			copy(buf, []byte{23, 3, 3, 0, 4 + 16})
			out := c.out.aead.Seal(buf[5:5], nonce, make([]byte, 4), buf[:5])
			p.svrNet.Write(buf[:5+len(out)])
		}, ErrUnexpectedMessage, AlertUnexpectedMessage},
		{"empty records without end", func(p *pair) {
			for range maxUselessRecords + 1 {
				p.server.outMu.Lock()
				rec, _ := p.server.sealRecord(p.server.outBuf, recordApplicationData, nil)
				p.svrNet.Write(rec)
				p.server.outMu.Unlock()
			}
		}, ErrUnexpectedMessage, AlertUnexpectedMessage},
		{"record above the negotiated limit", func(p *pair) {
			p.server.outMu.Lock()
			p.server.sendLimit = 2000
			p.server.setOutBuf(recordBufSize(2001))
			p.server.outMu.Unlock()
			p.server.Write(pattern(2000))
		}, ErrRecordOverflow, AlertRecordOverflow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustHandshake(t, overMem, clientConfig(func(c *Config) { c.MaxFragmentLength = 1024 }), serverConfig())
			tt.act(p)
			_, err := p.client.Read(make([]byte, 100))
			wantLocal(t, "client", err, tt.sentinel, tt.alert)
			_, err = p.server.Read(make([]byte, 100))
			wantRemote(t, "server", err, tt.alert)
			// The error sticks.
			if _, again := p.client.Read(make([]byte, 1)); again != err && !errors.Is(again, tt.sentinel) {
				t.Errorf("second read: %v", again)
			}
		})
	}

	t.Run("NewSessionTicket sent to a server", func(t *testing.T) {
		p := mustHandshake(t, overMem, clientConfig(), serverConfig())
		send(p.client, recordHandshake, appendHandshake(typeNewSessionTicket, make([]byte, 20)))
		_, err := p.server.Read(make([]byte, 1))
		wantLocal(t, "server", err, ErrUnexpectedMessage, AlertUnexpectedMessage)
	})
	t.Run("fatal alert from the peer", func(t *testing.T) {
		p := mustHandshake(t, overMem, clientConfig(), serverConfig())
		p.server.outMu.Lock()
		p.server.sendAlertLocked(AlertInternalError)
		p.server.outMu.Unlock()
		_, err := p.client.Read(make([]byte, 1))
		wantRemote(t, "client", err, AlertInternalError)
		if _, err := p.client.Write([]byte("x")); err == nil {
			t.Error("write after a fatal alert succeeded")
		}
	})
}

// TestClientSkipsTickets: NewSessionTickets, small or spanning several
// records beyond the client's handshake buffer, are dropped and data
// after them arrives.
func TestClientSkipsTickets(t *testing.T) {
	p := mustHandshake(t, overMem, clientConfig(func(c *Config) { c.MaxFragmentLength = 512 }), serverConfig())
	send := func(data []byte) {
		p.server.outMu.Lock()
		defer p.server.outMu.Unlock()
		p.server.writeRecordLocked(recordHandshake, data)
	}
	small := appendHandshake(typeNewSessionTicket, bytes.Repeat([]byte{7}, 200))
	large := appendHandshake(typeNewSessionTicket, bytes.Repeat([]byte{8}, 3000))
	send(append(small, small...))
	send(large)
	send(small)
	exchange(t, p.server, p.client, []byte("after the tickets"))
	if p.client.BufferBytes() > BufferBytes(512)+600 {
		t.Errorf("client buffers grew to %d bytes while skipping tickets", p.client.BufferBytes())
	}
}

// TestUserCanceled: user_canceled is not fatal; close_notify after it
// ends reading cleanly.
func TestUserCanceled(t *testing.T) {
	p := mustHandshake(t, overMem, clientConfig(), serverConfig())
	p.server.outMu.Lock()
	p.server.sendAlertLocked(AlertUserCanceled)
	p.server.outMu.Unlock()
	p.server.Close()
	if _, err := p.client.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("read after user_canceled and close_notify: %v", err)
	}
}

func TestAlertNames(t *testing.T) {
	for a, want := range map[Alert]string{
		AlertUnknownPSKIdentity: "unknown_psk_identity", AlertDecryptError: "decrypt_error",
		AlertMissingExtension: "missing_extension", 200: "alert(200)",
	} {
		if got := a.String(); got != want {
			t.Errorf("Alert(%d).String() = %q, want %q", a, got, want)
		}
	}
	err := &AlertError{Alert: AlertDecryptError}
	if got := err.Error(); got != "tlspsk: peer sent alert decrypt_error (51)" {
		t.Errorf("AlertError text %q", got)
	}
	if _, ok := SentAlert(err); ok {
		t.Error("SentAlert reports a received alert")
	}
}
