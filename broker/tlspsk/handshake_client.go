package tlspsk

import (
	"crypto/ecdh"
	"crypto/hmac"
	"crypto/sha256"
	"io"
)

// signBinder computes the PSK binder of the ClientHello msg in place: the
// binder covers prefix (the HelloRetryRequest part of the transcript, if
// any) and msg up to its binders vector (RFC 8446 section 4.2.11.2).
// msg must carry one identity, and so one binder at its very end.
func signBinder(msg, prefix, binderKey []byte) {
	h := sha256.New()
	h.Write(prefix)
	h.Write(msg[:len(msg)-(2+1+hashLen)])
	copy(msg[len(msg)-hashLen:], finishedMAC(binderKey, h.Sum(nil)))
}

// writeHandshakeLocked sends one handshake message.
func (c *Conn) writeHandshake(msg []byte) error {
	c.outMu.Lock()
	defer c.outMu.Unlock()
	_, err := c.writeRecordLocked(recordHandshake, msg)
	return err
}

func (c *Conn) clientHandshake() error {
	cfg := c.config
	suites := cfg.cipherSuites()
	modes := cfg.modes()
	groups := cfg.groups()
	offerDHE := hasMode(modes, KeyExchangePSKDHE)

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
	for _, s := range suites {
		ch.cipherSuites = append(ch.cipherSuites, uint16(s))
	}
	for _, m := range modes {
		ch.pskModes = append(ch.pskModes, uint8(m))
	}
	var priv *ecdh.PrivateKey
	if offerDHE {
		var err error
		if priv, err = newKeyShare(groups[0], cfg.rand()); err != nil {
			return err
		}
		ch.hasGroups, ch.groups = true, groups
		ch.hasKeyShares = true
		ch.keyShares = []keyShare{{groups[0], priv.PublicKey().Bytes()}}
	}

	c.hooks.onClientHello(ch)
	early := earlySecret(cfg.PSK.Key)
	bk := binderKey(early, true)
	chMsg := ch.marshal()
	signBinder(chMsg, nil, bk)
	t := newTranscript()
	t.add(chMsg)
	if err := c.writeHandshake(chMsg); err != nil {
		return err
	}
	c.ccsAllowed = true

	msg, err := c.readHandshake()
	if err != nil {
		return err
	}
	if msg[0] != typeServerHello {
		return unexpected("expected ServerHello")
	}
	sh, err := parseServerHello(msg)
	if err != nil {
		return err
	}
	if err := checkServerHello(sh, ch); err != nil {
		return err
	}
	if sh.isHRR {
		c.state.DidHelloRetryRequest = true
		if err := c.checkBoundary("HelloRetryRequest"); err != nil {
			return err
		}
		if !sh.hasKeyShare && sh.cookie == nil {
			return fail(AlertIllegalParameter, ErrIllegalParameter, "HelloRetryRequest would change nothing")
		}
		if sh.hasKeyShare {
			if !offerDHE || !hasGroup(groups, sh.selectedGroup) || sh.selectedGroup == ch.keyShares[0].group {
				return fail(AlertIllegalParameter, ErrIllegalParameter, "HelloRetryRequest selects group "+sh.selectedGroup.String())
			}
			if priv, err = newKeyShare(sh.selectedGroup, cfg.rand()); err != nil {
				return err
			}
			ch.keyShares = []keyShare{{sh.selectedGroup, priv.PublicKey().Bytes()}}
		}
		hrrSuite := sh.suite
		ch.cookie = append([]byte(nil), sh.cookie...)
		prefix := t.restartWithMessageHash(chMsg)
		t.add(msg)
		prefix = append(prefix, msg...)

		chMsg = ch.marshal()
		signBinder(chMsg, prefix, bk)
		t.add(chMsg)
		if err := c.writeHandshake(chMsg); err != nil {
			return err
		}
		if msg, err = c.readHandshake(); err != nil {
			return err
		}
		if msg[0] != typeServerHello {
			return unexpected("expected ServerHello after HelloRetryRequest")
		}
		if sh, err = parseServerHello(msg); err != nil {
			return err
		}
		if err := checkServerHello(sh, ch); err != nil {
			return err
		}
		if sh.isHRR {
			return unexpected("second HelloRetryRequest")
		}
		if sh.suite != hrrSuite {
			return fail(AlertIllegalParameter, ErrIllegalParameter, "ServerHello changes the HelloRetryRequest cipher suite")
		}
	}
	suite := suiteByID(sh.suite)
	if !sh.hasPSK {
		return fail(AlertHandshakeFailure, ErrNoPSK, "server did not accept the PSK")
	}
	if sh.pskIndex != 0 {
		return fail(AlertIllegalParameter, ErrIllegalParameter, "server selected a PSK identity not offered")
	}
	var shared []byte
	if sh.hasKeyShare {
		if !offerDHE || sh.keyShare.group != ch.keyShares[0].group {
			return fail(AlertIllegalParameter, ErrIllegalParameter, "server key share in group "+sh.keyShare.group.String())
		}
		if shared, err = sharedSecret(priv, sh.keyShare.data); err != nil {
			return err
		}
		c.state.KeyExchangeMode, c.state.Group = KeyExchangePSKDHE, sh.keyShare.group
	} else {
		if !hasMode(modes, KeyExchangePSK) {
			return fail(AlertMissingExtension, ErrMissingExtension, "ServerHello has no key_share but psk_ke was not offered")
		}
		c.state.KeyExchangeMode = KeyExchangePSK
	}
	if err := c.checkBoundary("ServerHello"); err != nil {
		return err
	}
	t.add(msg)

	hsSecret := handshakeSecret(early, shared)
	h := t.sum()
	cHS := deriveSecret(hsSecret, "c hs traffic", h)
	sHS := deriveSecret(hsSecret, "s hs traffic", h)
	if err := c.in.setSecret(suite, sHS); err != nil {
		return err
	}
	c.outMu.Lock()
	err = c.out.setSecret(suite, cHS)
	c.outMu.Unlock()
	if err != nil {
		return err
	}

	if msg, err = c.readHandshake(); err != nil {
		return err
	}
	if msg[0] != typeEncryptedExtensions {
		return unexpected("expected EncryptedExtensions")
	}
	ee, err := parseEncryptedExtensions(msg)
	if err != nil {
		return err
	}
	peerRSL, err := checkEncryptedExtensions(ee, ch)
	if err != nil {
		return err
	}
	if err := c.settleReceiveLimit(ch, ee, peerRSL); err != nil {
		return err
	}
	t.add(msg)

	if msg, err = c.readHandshake(); err != nil {
		return err
	}
	if msg[0] != typeFinished {
		return unexpected("expected Finished")
	}
	verify, err := parseFinished(msg)
	if err != nil {
		return err
	}
	if !hmac.Equal(verify, finishedMAC(sHS, t.sum())) {
		return fail(AlertDecryptError, ErrBadFinished, "server Finished")
	}
	if err := c.checkBoundary("server Finished"); err != nil {
		return err
	}
	t.add(msg)

	master := masterSecret(hsSecret)
	h = t.sum()
	cAP := deriveSecret(master, "c ap traffic", h)
	sAP := deriveSecret(master, "s ap traffic", h)
	if err := c.in.setSecret(suite, sAP); err != nil {
		return err
	}
	if err := c.writeHandshake(marshalFinished(c.hooks.onFinished(finishedMAC(cHS, h)))); err != nil {
		return err
	}
	c.outMu.Lock()
	err = c.out.setSecret(suite, cAP)
	if peerRSL != 0 {
		c.sendLimit = min(c.sendLimit, peerRSL-1)
	}
	if ee.mfl != 0 {
		c.sendLimit = min(c.sendLimit, mflLength(ee.mfl))
	}
	c.outMu.Unlock()
	if err != nil {
		return err
	}

	c.state.CipherSuite = suite.id
	c.state.Identity = cfg.PSK.Identity
	c.state.MaxFragmentLength = mflLength(ee.mfl)
	c.state.PeerRecordSizeLimit = peerRSL
	return nil
}

// settleReceiveLimit makes the receive buffer fit what the server may send
// now that its EncryptedExtensions are known. A record size the client
// asked for binds the server only if it answered the request (RFC 8449
// section 4, RFC 6066 section 4); a server that answered neither may send
// records of 2^14 bytes, so the buffer grows to that, once, or the
// handshake fails when the configuration requires a limit. c.inMu must be
// held.
func (c *Conn) settleReceiveLimit(ch *clientHello, ee *encryptedExtensions, peerRSL int) error {
	asked := ch.recordSizeLimit != 0 || ch.mfl != 0
	if !asked || peerRSL != 0 || ee.mfl != 0 {
		return nil
	}
	if c.config.RequireRecordLimit {
		return fail(AlertHandshakeFailure, ErrRecordLimitRefused,
			"server answered neither record_size_limit nor max_fragment_length")
	}
	if c.recvInner < MaxRecordSizeLimit {
		// Records still unparsed (the server's Finished may share the
		// EncryptedExtensions record) keep the old buffer alive until
		// they are read.
		c.recvInner = MaxRecordSizeLimit
		c.setInBuf(recordBufSize(MaxRecordSizeLimit))
	}
	return nil
}

// checkServerHello applies the checks common to ServerHello and
// HelloRetryRequest (RFC 8446 section 4.1.3, 4.1.4).
func checkServerHello(sh *serverHello, ch *clientHello) error {
	if sh.supportedVersion == 0 {
		return fail(AlertProtocolVersion, ErrProtocolVersion, "ServerHello without supported_versions")
	}
	if sh.supportedVersion != versionTLS13 || sh.vers != versionTLS12 {
		return fail(AlertIllegalParameter, ErrIllegalParameter, "ServerHello selects a version not offered")
	}
	if string(sh.sessionID) != string(ch.sessionID) {
		return fail(AlertIllegalParameter, ErrIllegalParameter, "ServerHello session ID echo differs")
	}
	if sh.comp != 0 {
		return fail(AlertIllegalParameter, ErrIllegalParameter, "ServerHello compression method")
	}
	offered := false
	for _, s := range ch.cipherSuites {
		offered = offered || s == sh.suite
	}
	if !offered || suiteByID(sh.suite) == nil {
		return fail(AlertIllegalParameter, ErrIllegalParameter, "ServerHello selects a cipher suite not offered")
	}
	return nil
}

// checkEncryptedExtensions refuses answers to extensions the client did not
// send and returns the server's record_size_limit, if any.
func checkEncryptedExtensions(ee *encryptedExtensions, ch *clientHello) (int, error) {
	if len(ee.unknown) > 0 {
		return 0, fail(AlertUnsupportedExtension, ErrUnsupportedExtension, "EncryptedExtensions carries "+extName(ee.unknown[0]))
	}
	if ee.earlyData || ee.serverName {
		return 0, fail(AlertUnsupportedExtension, ErrUnsupportedExtension, "EncryptedExtensions answers an extension not offered")
	}
	if ee.hasGroups && !ch.hasGroups {
		return 0, fail(AlertUnsupportedExtension, ErrUnsupportedExtension, "EncryptedExtensions carries supported_groups")
	}
	if ee.mfl != 0 {
		if ch.mfl == 0 {
			return 0, fail(AlertUnsupportedExtension, ErrUnsupportedExtension, "EncryptedExtensions carries max_fragment_length")
		}
		if ee.mfl != ch.mfl {
			return 0, fail(AlertIllegalParameter, ErrIllegalParameter, "max_fragment_length echo differs from the request")
		}
	}
	rsl := int(ee.recordSizeLimit)
	if rsl != 0 {
		if ch.recordSizeLimit == 0 {
			return 0, fail(AlertUnsupportedExtension, ErrUnsupportedExtension, "EncryptedExtensions carries record_size_limit")
		}
		if rsl > MaxRecordSizeLimit {
			rsl = MaxRecordSizeLimit
		}
	}
	return rsl, nil
}
