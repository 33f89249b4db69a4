package tlspsk

import (
	"crypto/ecdh"
	"crypto/hmac"
	"crypto/sha256"
	"io"
)

// serverChoice is what the server settled on for one ClientHello.
type serverChoice struct {
	suite    *cipherSuite
	index    int // chosen PSK identity
	identity string
	key      []byte
	mode     KeyExchangeMode
	group    Group
	share    []byte // the client's share in group; nil when a retry is needed
}

// choose negotiates against a ClientHello. prefix is the transcript that
// precedes it (non-nil after a HelloRetryRequest) and retry the parameters
// the HelloRetryRequest fixed.
func (c *Conn) choose(ch *clientHello, msg, prefix []byte, retry *serverChoice) (*serverChoice, error) {
	cfg := c.config
	tls13 := false
	for _, v := range ch.supportedVersions {
		tls13 = tls13 || v == versionTLS13
	}
	if !tls13 {
		return nil, fail(AlertProtocolVersion, ErrProtocolVersion, "ClientHello does not offer TLS 1.3")
	}
	if len(ch.compression) != 1 || ch.compression[0] != 0 {
		return nil, fail(AlertIllegalParameter, ErrIllegalParameter, "ClientHello compression methods")
	}
	if !ch.hasPSK {
		return nil, fail(AlertHandshakeFailure, ErrNoPSK, "")
	}
	if !ch.hasPSKModes {
		return nil, fail(AlertMissingExtension, ErrMissingExtension, "pre_shared_key without psk_key_exchange_modes")
	}
	if len(ch.binders) != len(ch.identities) {
		return nil, fail(AlertIllegalParameter, ErrIllegalParameter, "PSK binder count differs from identity count")
	}

	sc := &serverChoice{}
	if retry != nil {
		sc.suite = retry.suite
		if !offersSuite(ch, retry.suite.id) {
			return nil, fail(AlertIllegalParameter, ErrIllegalParameter, "second ClientHello drops the chosen cipher suite")
		}
	} else {
		for _, s := range cfg.cipherSuites() {
			if offersSuite(ch, s) {
				sc.suite = suiteByID(uint16(s))
				break
			}
		}
		if sc.suite == nil {
			return nil, fail(AlertHandshakeFailure, ErrNoCipherSuite, "")
		}
	}

	sc.index = -1
	for i, id := range ch.identities {
		if key, ok := cfg.lookup(id.identity); ok {
			sc.index, sc.identity, sc.key = i, string(id.identity), key
			break
		}
	}
	if sc.index < 0 {
		return nil, fail(AlertUnknownPSKIdentity, ErrUnknownIdentity, "identity "+quoteIdentity(ch.identities[0].identity))
	}
	// The binder covers the transcript up to this hello's binders vector.
	h := sha256.New()
	h.Write(prefix)
	h.Write(msg[:len(msg)-ch.bindersLen])
	want := finishedMAC(binderKey(earlySecret(sc.key), true), h.Sum(nil))
	if !hmac.Equal(ch.binders[sc.index], want) {
		return nil, fail(AlertDecryptError, ErrBadBinder, "identity "+quoteIdentity([]byte(sc.identity)))
	}

	if err := checkKeyShares(ch); err != nil {
		return nil, err
	}
	modeFound := false
	for _, m := range cfg.modes() {
		if !offersMode(ch, m) {
			continue
		}
		modeFound = true
		if m == KeyExchangePSK {
			sc.mode = m
			return sc, nil
		}
		if !ch.hasGroups || !ch.hasKeyShares {
			return nil, fail(AlertMissingExtension, ErrMissingExtension, "psk_dhe_ke without supported_groups and key_share")
		}
		if retry != nil {
			if len(ch.keyShares) != 1 || ch.keyShares[0].group != retry.group {
				return nil, fail(AlertIllegalParameter, ErrIllegalParameter, "second ClientHello lacks the requested key share")
			}
			sc.mode, sc.group, sc.share = m, retry.group, ch.keyShares[0].data
			return sc, nil
		}
		// Prefer a group the client already sent a share for, then any
		// group it supports, which costs a HelloRetryRequest.
		for _, g := range cfg.groups() {
			for _, ks := range ch.keyShares {
				if ks.group == g {
					sc.mode, sc.group, sc.share = m, g, ks.data
					return sc, nil
				}
			}
		}
		for _, g := range cfg.groups() {
			if hasGroup(ch.groups, g) {
				sc.mode, sc.group = m, g
				return sc, nil
			}
		}
		// No group in common: a later mode (psk_ke) may still do.
	}
	if modeFound {
		return nil, fail(AlertHandshakeFailure, ErrNoGroup, "")
	}
	return nil, fail(AlertHandshakeFailure, ErrNoKeyExchangeMode, "")
}

// checkKeyShares enforces RFC 8446 section 4.2.8: each share names a
// supported group, at most once.
func checkKeyShares(ch *clientHello) error {
	for i, ks := range ch.keyShares {
		if !hasGroup(ch.groups, ks.group) {
			return fail(AlertIllegalParameter, ErrIllegalParameter, "key share for a group not in supported_groups")
		}
		for _, prev := range ch.keyShares[:i] {
			if prev.group == ks.group {
				return fail(AlertIllegalParameter, ErrIllegalParameter, "two key shares for one group")
			}
		}
	}
	return nil
}

func offersSuite(ch *clientHello, s CipherSuite) bool {
	for _, x := range ch.cipherSuites {
		if x == uint16(s) {
			return true
		}
	}
	return false
}

func offersMode(ch *clientHello, m KeyExchangeMode) bool {
	for _, x := range ch.pskModes {
		if x == uint8(m) {
			return true
		}
	}
	return false
}

// quoteIdentity renders an identity for an error message, bounded and
// without control bytes.
func quoteIdentity(id []byte) string {
	const max = 64
	out := make([]byte, 0, max+3)
	out = append(out, '"')
	for i, b := range id {
		if i == max {
			out = append(out, "..."...)
			break
		}
		if b < 0x20 || b > 0x7e {
			b = '?'
		}
		out = append(out, b)
	}
	return string(append(out, '"'))
}

func (c *Conn) serverHandshake() error {
	cfg := c.config
	msg, err := c.readHandshake()
	if err != nil {
		return err
	}
	if msg[0] != typeClientHello {
		return unexpected("expected ClientHello")
	}
	ch, err := parseClientHello(msg)
	if err != nil {
		return err
	}
	c.hooks.onReceivedClientHello(ch)
	if err := c.checkBoundary("ClientHello"); err != nil {
		return err
	}
	c.ccsAllowed = true
	sc, err := c.choose(ch, msg, nil, nil)
	if err != nil {
		return err
	}
	t := newTranscript()
	if sc.mode == KeyExchangePSKDHE && sc.share == nil {
		c.state.DidHelloRetryRequest = true
		hrr := &serverHello{
			isHRR:            true,
			vers:             versionTLS12,
			sessionID:        ch.sessionID,
			suite:            uint16(sc.suite.id),
			supportedVersion: versionTLS13,
			hasKeyShare:      true,
			selectedGroup:    sc.group,
		}
		hrrMsg := hrr.marshal()
		prefix := t.restartWithMessageHash(msg)
		t.add(hrrMsg)
		prefix = append(prefix, hrrMsg...)
		if err := c.writeHandshake(hrrMsg); err != nil {
			return err
		}
		if msg, err = c.readHandshake(); err != nil {
			return err
		}
		if msg[0] != typeClientHello {
			return unexpected("expected ClientHello after HelloRetryRequest")
		}
		if ch, err = parseClientHello(msg); err != nil {
			return err
		}
		c.hooks.onReceivedClientHello(ch)
		if err := c.checkBoundary("ClientHello"); err != nil {
			return err
		}
		if sc, err = c.choose(ch, msg, prefix, sc); err != nil {
			return err
		}
	}
	t.add(msg)

	sh := &serverHello{
		vers:             versionTLS12,
		random:           make([]byte, 32),
		sessionID:        ch.sessionID,
		suite:            uint16(sc.suite.id),
		supportedVersion: versionTLS13,
		hasPSK:           true,
		pskIndex:         uint16(sc.index),
	}
	if _, err := io.ReadFull(cfg.rand(), sh.random); err != nil {
		return fail(AlertInternalError, ErrInternal, "reading random: "+err.Error())
	}
	var shared []byte
	if sc.mode == KeyExchangePSKDHE {
		var priv *ecdh.PrivateKey
		if priv, err = newKeyShare(sc.group, cfg.rand()); err != nil {
			return err
		}
		if shared, err = sharedSecret(priv, sc.share); err != nil {
			return err
		}
		sh.hasKeyShare = true
		sh.keyShare = keyShare{sc.group, priv.PublicKey().Bytes()}
	}
	ee := c.negotiateLimits(ch)
	earlyData := ch.earlyData

	shMsg := sh.marshal()
	if err := c.writeHandshake(shMsg); err != nil {
		return err
	}
	t.add(shMsg)

	early := earlySecret(sc.key)
	hsSecret := handshakeSecret(early, shared)
	h := t.sum()
	cHS := deriveSecret(hsSecret, "c hs traffic", h)
	sHS := deriveSecret(hsSecret, "s hs traffic", h)
	c.outMu.Lock()
	err = c.out.setSecret(sc.suite, sHS)
	c.outMu.Unlock()
	if err != nil {
		return err
	}
	if err := c.in.setSecret(sc.suite, cHS); err != nil {
		return err
	}
	c.hooks.onEncryptedExtensions(ee)
	eeMsg := ee.marshal()
	t.add(eeMsg)
	fin := marshalFinished(c.hooks.onFinished(finishedMAC(sHS, t.sum())))
	t.add(fin)
	// One record carries both, when it fits.
	if err := c.writeHandshake(append(eeMsg, fin...)); err != nil {
		return err
	}

	master := masterSecret(hsSecret)
	h = t.sum()
	cAP := deriveSecret(master, "c ap traffic", h)
	sAP := deriveSecret(master, "s ap traffic", h)
	c.outMu.Lock()
	err = c.out.setSecret(sc.suite, sAP)
	c.outMu.Unlock()
	if err != nil {
		return err
	}
	if earlyData {
		c.earlySkip = earlyDataBudget
	}

	if msg, err = c.readHandshake(); err != nil {
		return err
	}
	if msg[0] != typeFinished {
		return unexpected("expected client Finished")
	}
	verify, err := parseFinished(msg)
	if err != nil {
		return err
	}
	if !hmac.Equal(verify, finishedMAC(cHS, h)) {
		return fail(AlertDecryptError, ErrBadFinished, "client Finished")
	}
	if err := c.checkBoundary("client Finished"); err != nil {
		return err
	}
	if err := c.in.setSecret(sc.suite, cAP); err != nil {
		return err
	}
	c.earlySkip = 0

	c.state.CipherSuite = sc.suite.id
	c.state.KeyExchangeMode = sc.mode
	c.state.Group = sc.group
	c.state.Identity = sc.identity
	return nil
}

// negotiateLimits settles record sizes from the ClientHello and returns
// the EncryptedExtensions that confirm them. When the client offers both,
// record_size_limit wins over max_fragment_length (RFC 8449 section 5).
func (c *Conn) negotiateLimits(ch *clientHello) *encryptedExtensions {
	ee := &encryptedExtensions{}
	own := c.config.recordLimit(false) // content bytes this server buffers
	send := own
	switch {
	case ch.recordSizeLimit != 0:
		ee.recordSizeLimit = uint16(own + 1)
		peer := int(ch.recordSizeLimit)
		if peer > MaxRecordSizeLimit {
			peer = MaxRecordSizeLimit
		}
		send = min(send, peer-1)
		c.state.PeerRecordSizeLimit = peer
	case ch.mfl != 0:
		ee.mfl = ch.mfl
		m := mflLength(ch.mfl)
		send = min(send, m)
		c.recvInner = min(c.recvInner, m+1)
		c.state.MaxFragmentLength = m
	}
	c.outMu.Lock()
	c.sendLimit = send
	c.setOutBuf(recordBufSize(send + 1))
	c.outMu.Unlock()
	return ee
}
