package tlspsk

import (
	"crypto/hmac"
	"io"
)

// serverHandshakeState is a server handshake in progress. Its stages, run
// in order by handshake, hand on what they settle through its fields.
type serverHandshakeState struct {
	c      *Conn
	config *Config

	hello *clientHello
	// helloMsg is hello as received. It aliases the Conn's buffers, so it
	// is valid only until the next read.
	helloMsg []byte
	choice   *serverChoice // what the server settled on for hello

	// After a HelloRetryRequest: what it fixed for the second hello, and
	// the transcript before that hello, which its binder covers.
	retry  *serverChoice
	prefix []byte

	transcript      transcript
	sharedKey       []byte // the (EC)DHE secret; nil in psk_ke mode
	ee              *encryptedExtensions
	handshakeSecret []byte
	clientSecret    []byte // client_handshake_traffic_secret
	serverSecret    []byte // server_handshake_traffic_secret
	// pending holds the EncryptedExtensions until the Finished joins
	// them, so that one record carries both when it fits.
	pending []byte

	clientAppSecret []byte // client_application_traffic_secret_0
	finishedHash    []byte // the transcript hash through server Finished
}

func (c *Conn) serverHandshake() error {
	hs := serverHandshakeState{c: c, config: c.config}
	return hs.handshake()
}

// handshake runs the server's stages (RFC 8446 section 2). When the
// client offered psk_dhe_ke without a share in a group this server takes,
// a HelloRetryRequest is a stage of its own, which runs the second
// ClientHello through the same checks; the handshake then goes on with
// that hello.
func (hs *serverHandshakeState) handshake() error {
	if err := hs.readClientHello(); err != nil {
		return inStage("reading ClientHello", err)
	}
	if err := hs.negotiate(); err != nil {
		return err // named by negotiate's own stages
	}
	if hs.choice.needsRetry() {
		if err := hs.sendHelloRetryRequest(); err != nil {
			return inStage("HelloRetryRequest", err)
		}
	}
	if err := hs.sendServerHello(); err != nil {
		return inStage("sending ServerHello", err)
	}
	if err := hs.establishHandshakeKeys(); err != nil {
		return inStage("establishing handshake keys", err)
	}
	hs.sendServerParameters()
	if err := hs.sendServerFinished(); err != nil {
		return inStage("sending server Finished", err)
	}
	if err := hs.readClientFinished(); err != nil {
		return inStage("reading client Finished", err)
	}

	st, sc := &hs.c.state, hs.choice
	st.CipherSuite = sc.suite.id
	st.KeyExchangeMode = sc.mode
	st.Group = sc.group
	st.Identity = sc.identity
	return nil
}

// readClientHello reads and parses a ClientHello, the first or, after a
// HelloRetryRequest, the second.
func (hs *serverHandshakeState) readClientHello() error {
	c := hs.c
	expected := "expected ClientHello"
	if hs.retry != nil {
		expected = "expected ClientHello after HelloRetryRequest"
	}
	msg, err := c.readHandshakeOfType(typeClientHello, expected)
	if err != nil {
		return err
	}
	ch, err := parseClientHello(msg)
	if err != nil {
		return err
	}
	c.hooks.onReceivedClientHello(ch)
	if err := c.checkBoundary("ClientHello"); err != nil {
		return err
	}
	// From here on a middlebox-compatible client may send
	// ChangeCipherSpec.
	c.ccsAllowed = true
	hs.hello, hs.helloMsg = ch, msg
	return nil
}

// negotiate settles the server's choices for the ClientHello just read,
// in the order that decides which failure a bad hello reports: the
// suite, then the PSK, then the key exchange.
func (hs *serverHandshakeState) negotiate() error {
	if err := hs.processClientHello(); err != nil {
		return inStage("processing ClientHello", err)
	}
	if err := hs.selectPSK(); err != nil {
		return inStage("selecting PSK", err)
	}
	if err := hs.selectKeyExchange(); err != nil {
		return inStage("selecting key exchange", err)
	}
	return nil
}

// sendHelloRetryRequest asks for a key share in the chosen group, then
// reads the second ClientHello and negotiates again, holding the client
// to what the retry fixed (RFC 8446 section 4.1.4).
func (hs *serverHandshakeState) sendHelloRetryRequest() error {
	c, sc := hs.c, hs.choice
	c.state.DidHelloRetryRequest = true
	hrr := &serverHello{
		isHRR:            true,
		vers:             versionTLS12,
		sessionID:        hs.hello.sessionID,
		suite:            uint16(sc.suite.id),
		supportedVersion: versionTLS13,
		hasKeyShare:      true,
		selectedGroup:    sc.group,
	}
	hrrMsg := hrr.marshal()
	// The transcript, and the second binder with it, now starts with a
	// message_hash of the first hello and the HelloRetryRequest.
	prefix := hs.transcript.restartWithMessageHash(hs.helloMsg)
	hs.transcript.add(hrrMsg)
	hs.prefix = append(prefix, hrrMsg...)
	hs.retry = sc
	if err := c.writeHandshake(hrrMsg); err != nil {
		return err
	}
	if err := hs.readClientHello(); err != nil {
		return err
	}
	return hs.negotiate()
}

// sendServerHello accepts the PSK, with a key share in psk_dhe_ke mode.
// Before sending it, it settles the record sizes, which gives the Conn its
// send buffer.
func (hs *serverHandshakeState) sendServerHello() error {
	c, cfg, sc := hs.c, hs.config, hs.choice
	hs.transcript.add(hs.helloMsg)

	sh := &serverHello{
		vers:             versionTLS12,
		random:           make([]byte, 32),
		sessionID:        hs.hello.sessionID,
		suite:            uint16(sc.suite.id),
		supportedVersion: versionTLS13,
		hasPSK:           true,
		pskIndex:         uint16(sc.index),
	}
	if _, err := io.ReadFull(cfg.rand(), sh.random); err != nil {
		return fail(AlertInternalError, ErrInternal, "reading random: "+err.Error())
	}
	if sc.mode == KeyExchangePSKDHE {
		key, err := newKeyShare(sc.group, cfg.rand())
		if err != nil {
			return err
		}
		if hs.sharedKey, err = sharedSecret(key, sc.share); err != nil {
			return err
		}
		sh.hasKeyShare = true
		sh.keyShare = keyShare{sc.group, key.PublicKey().Bytes()}
	}
	hs.ee = c.negotiateLimits(hs.hello)

	shMsg := sh.marshal()
	if err := c.writeHandshake(shMsg); err != nil {
		return err
	}
	hs.transcript.add(shMsg)
	return nil
}

// establishHandshakeKeys protects the rest of the handshake in both
// directions.
func (hs *serverHandshakeState) establishHandshakeKeys() error {
	c, suite := hs.c, hs.choice.suite
	hs.handshakeSecret = handshakeSecret(earlySecret(hs.choice.key), hs.sharedKey)
	h := hs.transcript.sum()
	hs.clientSecret = deriveSecret(hs.handshakeSecret, "c hs traffic", h)
	hs.serverSecret = deriveSecret(hs.handshakeSecret, "s hs traffic", h)
	if err := c.setOutSecret(suite, hs.serverSecret); err != nil {
		return err
	}
	return c.in.setSecret(suite, hs.clientSecret)
}

// sendServerParameters queues the EncryptedExtensions, which confirm the
// record sizes, for sendServerFinished to send with the Finished.
func (hs *serverHandshakeState) sendServerParameters() {
	hs.c.hooks.onEncryptedExtensions(hs.ee)
	hs.pending = hs.ee.marshal()
	hs.transcript.add(hs.pending)
}

// sendServerFinished sends the Finished after the queued EncryptedExtensions
// and switches to sending with the application keys, which the server may
// use before the client's Finished (RFC 8446 section 4.4.4).
func (hs *serverHandshakeState) sendServerFinished() error {
	c, suite := hs.c, hs.choice.suite
	verify := c.hooks.onFinished(finishedMAC(hs.serverSecret, hs.transcript.sum()))
	fin := marshalFinished(verify)
	hs.transcript.add(fin)
	if err := c.writeHandshake(append(hs.pending, fin...)); err != nil {
		return err
	}

	master := masterSecret(hs.handshakeSecret)
	hs.finishedHash = hs.transcript.sum()
	hs.clientAppSecret = deriveSecret(master, "c ap traffic", hs.finishedHash)
	serverAppSecret := deriveSecret(master, "s ap traffic", hs.finishedHash)
	return c.setOutSecret(suite, serverAppSecret)
}

// readClientFinished verifies the client's Finished, which proves that it
// holds the PSK, and switches to reading with the application keys.
func (hs *serverHandshakeState) readClientFinished() error {
	c := hs.c
	if hs.hello.earlyData {
		// This server takes no 0-RTT data: skip what the client may send
		// before its Finished under keys the server never derives.
		c.earlySkip = earlyDataBudget
	}
	msg, err := c.readHandshakeOfType(typeFinished, "expected client Finished")
	if err != nil {
		return err
	}
	verify, err := parseFinished(msg)
	if err != nil {
		return err
	}
	if !hmac.Equal(verify, finishedMAC(hs.clientSecret, hs.finishedHash)) {
		return fail(AlertDecryptError, ErrBadFinished, "client Finished")
	}
	if err := c.checkBoundary("client Finished"); err != nil {
		return err
	}
	if err := c.in.setSecret(hs.choice.suite, hs.clientAppSecret); err != nil {
		return err
	}
	c.earlySkip = 0
	return nil
}
