package tlspsk

import (
	"crypto/ecdh"
	"crypto/hmac"
	"io"
)

// clientHandshakeState is a client handshake in progress. Its stages, run
// in order by handshake, hand on what they settle through its fields.
type clientHandshakeState struct {
	c        *Conn
	config   *Config
	modes    []KeyExchangeMode
	groups   []Group
	offerDHE bool // psk_dhe_ke is among the modes, so hellos carry a share

	hello       *clientHello
	helloMsg    []byte           // hello as last sent, binder included
	keyShareKey *ecdh.PrivateKey // the key behind hello's share, if any

	serverHello *serverHello
	// serverHelloMsg is serverHello as received. It aliases the Conn's
	// buffers, so it is valid only until the next read.
	serverHelloMsg []byte

	transcript      transcript
	suite           *cipherSuite
	earlySecret     []byte
	binderKey       []byte
	sharedKey       []byte // the (EC)DHE secret; nil in psk_ke mode
	handshakeSecret []byte
	clientSecret    []byte // client_handshake_traffic_secret
	serverSecret    []byte // server_handshake_traffic_secret

	ee      *encryptedExtensions
	peerRSL int // the server's record_size_limit, or 0
}

func (c *Conn) clientHandshake() error {
	modes := c.config.modes()
	hs := clientHandshakeState{
		c:        c,
		config:   c.config,
		modes:    modes,
		groups:   c.config.groups(),
		offerDHE: hasMode(modes, KeyExchangePSKDHE),
	}
	return hs.handshake()
}

// handshake runs the client's stages (RFC 8446 section 2). A
// HelloRetryRequest is a stage of its own, after which the handshake goes
// on as if the server had answered the second ClientHello directly.
func (hs *clientHandshakeState) handshake() error {
	if err := hs.sendClientHello(); err != nil {
		return inStage("sending ClientHello", err)
	}
	if err := hs.readServerHello("expected ServerHello"); err != nil {
		return inStage("reading ServerHello", err)
	}
	if hs.serverHello.isHRR {
		if err := hs.processHelloRetryRequest(); err != nil {
			return inStage("processing HelloRetryRequest", err)
		}
	}
	if err := hs.processServerHello(); err != nil {
		return inStage("processing ServerHello", err)
	}
	if err := hs.establishHandshakeKeys(); err != nil {
		return inStage("establishing handshake keys", err)
	}
	if err := hs.readServerParameters(); err != nil {
		return inStage("reading EncryptedExtensions", err)
	}
	if err := hs.readServerFinished(); err != nil {
		return inStage("reading server Finished", err)
	}
	if err := hs.sendClientFinished(); err != nil {
		return inStage("sending client Finished", err)
	}

	st := &hs.c.state
	st.CipherSuite = hs.suite.id
	st.Identity = hs.config.PSK.Identity
	st.MaxFragmentLength = mflLength(hs.ee.mfl)
	st.PeerRecordSizeLimit = hs.peerRSL
	return nil
}

// sendClientHello offers the one PSK, binder signed, with a key share in
// the first configured group when psk_dhe_ke is offered.
func (hs *clientHandshakeState) sendClientHello() error {
	c, cfg := hs.c, hs.config
	ch := &clientHello{
		vers:              versionTLS12,
		random:            make([]byte, 32),
		compression:       []byte{0},
		supportedVersions: []uint16{versionTLS13},
		hasPSKModes:       true,
		hasPSK:            true,
		identities:        []pskIdentity{{identity: []byte(cfg.PSK.Identity)}},
		binders:           [][]byte{make([]byte, hashLen)},
		mfl:               mflCode(cfg.MaxFragmentLength),
		recordSizeLimit:   uint16(cfg.RecordSizeLimit),
	}
	if _, err := io.ReadFull(cfg.rand(), ch.random); err != nil {
		return fail(AlertInternalError, ErrInternal, "reading random: "+err.Error())
	}
	for _, s := range cfg.cipherSuites() {
		ch.cipherSuites = append(ch.cipherSuites, uint16(s))
	}
	for _, m := range hs.modes {
		ch.pskModes = append(ch.pskModes, uint8(m))
	}
	if hs.offerDHE {
		key, err := newKeyShare(hs.groups[0], cfg.rand())
		if err != nil {
			return err
		}
		hs.keyShareKey = key
		ch.hasGroups, ch.groups = true, hs.groups
		ch.hasKeyShares = true
		ch.keyShares = []keyShare{{hs.groups[0], key.PublicKey().Bytes()}}
	}
	c.hooks.onClientHello(ch)
	hs.hello = ch

	hs.earlySecret = earlySecret(cfg.PSK.Key)
	hs.binderKey = binderKey(hs.earlySecret, true)
	hs.helloMsg = ch.marshal()
	signBinder(hs.helloMsg, nil, hs.binderKey)
	hs.transcript.add(hs.helloMsg)
	if err := c.writeHandshake(hs.helloMsg); err != nil {
		return err
	}
	// From here on a middlebox-compatible server may send ChangeCipherSpec.
	c.ccsAllowed = true
	return nil
}

// readServerHello reads a ServerHello or HelloRetryRequest and applies
// the checks both share; expected is the complaint if something else
// comes.
func (hs *clientHandshakeState) readServerHello(expected string) error {
	msg, err := hs.c.readHandshakeOfType(typeServerHello, expected)
	if err != nil {
		return err
	}
	sh, err := parseServerHello(msg)
	if err != nil {
		return err
	}
	if err := checkServerHello(sh, hs.hello); err != nil {
		return err
	}
	hs.serverHello, hs.serverHelloMsg = sh, msg
	return nil
}

// processHelloRetryRequest sends the second ClientHello, with what the
// HelloRetryRequest asked for, and reads the ServerHello that must answer
// it (RFC 8446 section 4.1.4).
func (hs *clientHandshakeState) processHelloRetryRequest() error {
	c, hrr, ch := hs.c, hs.serverHello, hs.hello
	c.state.DidHelloRetryRequest = true
	if err := c.checkBoundary("HelloRetryRequest"); err != nil {
		return err
	}
	if !hrr.hasKeyShare && hrr.cookie == nil {
		return fail(AlertIllegalParameter, ErrIllegalParameter, "HelloRetryRequest would change nothing")
	}
	if hrr.hasKeyShare {
		g := hrr.selectedGroup
		if !hs.offerDHE || !hasGroup(hs.groups, g) || g == ch.keyShares[0].group {
			return fail(AlertIllegalParameter, ErrIllegalParameter, "HelloRetryRequest selects group "+g.String())
		}
		key, err := newKeyShare(g, hs.config.rand())
		if err != nil {
			return err
		}
		hs.keyShareKey = key
		ch.keyShares = []keyShare{{g, key.PublicKey().Bytes()}}
	}
	ch.cookie = append([]byte(nil), hrr.cookie...)

	// The transcript, and the second binder with it, now starts with a
	// message_hash of the first hello and the HelloRetryRequest.
	prefix := hs.transcript.restartWithMessageHash(hs.helloMsg)
	hs.transcript.add(hs.serverHelloMsg)
	prefix = append(prefix, hs.serverHelloMsg...)
	hs.helloMsg = ch.marshal()
	signBinder(hs.helloMsg, prefix, hs.binderKey)
	hs.transcript.add(hs.helloMsg)
	if err := c.writeHandshake(hs.helloMsg); err != nil {
		return err
	}

	if err := hs.readServerHello("expected ServerHello after HelloRetryRequest"); err != nil {
		return err
	}
	if hs.serverHello.isHRR {
		return unexpected("second HelloRetryRequest")
	}
	if hs.serverHello.suite != hrr.suite {
		return fail(AlertIllegalParameter, ErrIllegalParameter, "ServerHello changes the HelloRetryRequest cipher suite")
	}
	return nil
}

// processServerHello checks that the server took the PSK and settles the
// key exchange: a key share in the ServerHello means psk_dhe_ke.
func (hs *clientHandshakeState) processServerHello() error {
	c, sh := hs.c, hs.serverHello
	hs.suite = suiteByID(sh.suite)
	if !sh.hasPSK {
		return fail(AlertHandshakeFailure, ErrNoPSK, "server did not accept the PSK")
	}
	if sh.pskIndex != 0 {
		return fail(AlertIllegalParameter, ErrIllegalParameter, "server selected a PSK identity not offered")
	}
	if sh.hasKeyShare {
		if !hs.offerDHE || sh.keyShare.group != hs.hello.keyShares[0].group {
			return fail(AlertIllegalParameter, ErrIllegalParameter, "server key share in group "+sh.keyShare.group.String())
		}
		shared, err := sharedSecret(hs.keyShareKey, sh.keyShare.data)
		if err != nil {
			return err
		}
		hs.sharedKey = shared
		c.state.KeyExchangeMode, c.state.Group = KeyExchangePSKDHE, sh.keyShare.group
	} else {
		if !hasMode(hs.modes, KeyExchangePSK) {
			return fail(AlertMissingExtension, ErrMissingExtension, "ServerHello has no key_share but psk_ke was not offered")
		}
		c.state.KeyExchangeMode = KeyExchangePSK
	}
	if err := c.checkBoundary("ServerHello"); err != nil {
		return err
	}
	hs.transcript.add(hs.serverHelloMsg)
	return nil
}

// establishHandshakeKeys protects the rest of the handshake in both
// directions.
func (hs *clientHandshakeState) establishHandshakeKeys() error {
	c := hs.c
	hs.handshakeSecret = handshakeSecret(hs.earlySecret, hs.sharedKey)
	h := hs.transcript.sum()
	hs.clientSecret = deriveSecret(hs.handshakeSecret, "c hs traffic", h)
	hs.serverSecret = deriveSecret(hs.handshakeSecret, "s hs traffic", h)
	if err := c.in.setSecret(hs.suite, hs.serverSecret); err != nil {
		return err
	}
	return c.setOutSecret(hs.suite, hs.clientSecret)
}

// readServerParameters reads the EncryptedExtensions, which hold the
// server's answers to the record size requests, and fits the receive
// buffer to them.
func (hs *clientHandshakeState) readServerParameters() error {
	c := hs.c
	msg, err := c.readHandshakeOfType(typeEncryptedExtensions, "expected EncryptedExtensions")
	if err != nil {
		return err
	}
	ee, err := parseEncryptedExtensions(msg)
	if err != nil {
		return err
	}
	peerRSL, err := checkEncryptedExtensions(ee, hs.hello)
	if err != nil {
		return err
	}
	if err := c.settleReceiveLimit(hs.hello, ee, peerRSL); err != nil {
		return err
	}
	hs.transcript.add(msg)
	hs.ee, hs.peerRSL = ee, peerRSL
	return nil
}

// readServerFinished verifies the server's Finished, which proves that it
// holds the PSK.
func (hs *clientHandshakeState) readServerFinished() error {
	c := hs.c
	msg, err := c.readHandshakeOfType(typeFinished, "expected Finished")
	if err != nil {
		return err
	}
	verify, err := parseFinished(msg)
	if err != nil {
		return err
	}
	if !hmac.Equal(verify, finishedMAC(hs.serverSecret, hs.transcript.sum())) {
		return fail(AlertDecryptError, ErrBadFinished, "server Finished")
	}
	if err := c.checkBoundary("server Finished"); err != nil {
		return err
	}
	hs.transcript.add(msg)
	return nil
}

// sendClientFinished switches to the application keys: reading ones at
// once, since the server protects everything after its Finished with
// them, sending ones after this side's Finished, which the handshake keys
// still protect. From then on records are no larger than the server
// agreed to take.
func (hs *clientHandshakeState) sendClientFinished() error {
	c := hs.c
	master := masterSecret(hs.handshakeSecret)
	h := hs.transcript.sum()
	clientAppSecret := deriveSecret(master, "c ap traffic", h)
	serverAppSecret := deriveSecret(master, "s ap traffic", h)
	if err := c.in.setSecret(hs.suite, serverAppSecret); err != nil {
		return err
	}
	verify := c.hooks.onFinished(finishedMAC(hs.clientSecret, h))
	if err := c.writeHandshake(marshalFinished(verify)); err != nil {
		return err
	}
	c.outMu.Lock()
	defer c.outMu.Unlock()
	err := c.out.setSecret(hs.suite, clientAppSecret)
	if hs.peerRSL != 0 {
		c.sendLimit = min(c.sendLimit, hs.peerRSL-1)
	}
	if hs.ee.mfl != 0 {
		c.sendLimit = min(c.sendLimit, mflLength(hs.ee.mfl))
	}
	return err
}
