package tlspsk

import (
	"crypto/hmac"
	"crypto/sha256"
)

// The server's choices: what it takes from a ClientHello, and the record
// sizes it agrees to.

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

// needsRetry reports whether the client must be asked, by a
// HelloRetryRequest, for a key share in the chosen group.
func (sc *serverChoice) needsRetry() bool {
	return sc.mode == KeyExchangePSKDHE && sc.share == nil
}

// processClientHello checks what every ClientHello this server takes must
// carry, and chooses the cipher suite: the first of the server's that the
// client offers, or after a HelloRetryRequest the one it named.
func (hs *serverHandshakeState) processClientHello() error {
	ch, retry := hs.hello, hs.retry
	tls13 := false
	for _, v := range ch.supportedVersions {
		tls13 = tls13 || v == versionTLS13
	}
	if !tls13 {
		return fail(AlertProtocolVersion, ErrProtocolVersion, "ClientHello does not offer TLS 1.3")
	}
	if len(ch.compression) != 1 || ch.compression[0] != 0 {
		return fail(AlertIllegalParameter, ErrIllegalParameter, "ClientHello compression methods")
	}
	if !ch.hasPSK {
		return fail(AlertHandshakeFailure, ErrNoPSK, "")
	}
	if !ch.hasPSKModes {
		return fail(AlertMissingExtension, ErrMissingExtension, "pre_shared_key without psk_key_exchange_modes")
	}
	if len(ch.binders) != len(ch.identities) {
		return fail(AlertIllegalParameter, ErrIllegalParameter, "PSK binder count differs from identity count")
	}

	// Each ClientHello gets a choice of its own; after a retry, hs.retry
	// keeps what the first one settled.
	sc := &serverChoice{}
	hs.choice = sc
	if retry != nil {
		sc.suite = retry.suite
		if !offersSuite(ch, retry.suite.id) {
			return fail(AlertIllegalParameter, ErrIllegalParameter, "second ClientHello drops the chosen cipher suite")
		}
		return nil
	}
	for _, s := range hs.config.cipherSuites() {
		if offersSuite(ch, s) {
			sc.suite = suiteByID(uint16(s))
			break
		}
	}
	if sc.suite == nil {
		return fail(AlertHandshakeFailure, ErrNoCipherSuite, "")
	}
	return nil
}

// selectPSK takes the first offered identity this server knows and
// verifies its binder, which covers the transcript up to the hello's
// binders vector: after a HelloRetryRequest, hs.prefix and then the
// second hello.
//
// When it knows none of them, it still verifies the first binder, against
// dummyPSK, and then fails with the alert a wrong key gets unless
// Config.RevealUnknownIdentity asks for unknown_psk_identity: the same
// steps, the same work and, by default, the same answer as a known
// identity with a wrong key, so that the answer does not tell which
// identities exist. The dummy check never admits anyone: an unknown
// identity fails whatever its binder.
func (hs *serverHandshakeState) selectPSK() error {
	ch, msg, sc := hs.hello, hs.helloMsg, hs.choice
	sc.index = -1
	for i, id := range ch.identities {
		if key, ok := hs.config.lookup(id.identity); ok {
			sc.index, sc.identity, sc.key = i, string(id.identity), key
			break
		}
	}
	known := sc.index >= 0
	index, key := sc.index, sc.key
	if !known {
		index, key = 0, dummyPSK[:]
	}
	h := sha256.New()
	h.Write(hs.prefix)
	h.Write(msg[:len(msg)-ch.bindersLen])
	want := finishedMAC(binderKey(earlySecret(key), true), h.Sum(nil))
	verified := hmac.Equal(ch.binders[index], want)
	hs.c.hooks.onBinderChecked(index, verified)
	switch {
	case !known && hs.config.RevealUnknownIdentity:
		return fail(AlertUnknownPSKIdentity, ErrUnknownIdentity, "identity "+quoteIdentity(ch.identities[0].identity))
	case !known:
		return fail(AlertDecryptError, ErrUnknownIdentity, "identity "+quoteIdentity(ch.identities[0].identity))
	case !verified:
		return fail(AlertDecryptError, ErrBadBinder, "identity "+quoteIdentity([]byte(sc.identity)))
	}
	return nil
}

// dummyPSK is the key selectPSK checks an unknown identity's binder
// against, only so that the check costs what a known identity's does. It
// needs no secrecy: the check's outcome is discarded.
var dummyPSK [32]byte

// selectKeyExchange takes the first of the server's modes the client
// offers that can be had. For psk_dhe_ke it prefers a group the client
// already sent a share for, then any group it supports, which costs a
// HelloRetryRequest; after one, the second hello must carry the share
// asked for.
func (hs *serverHandshakeState) selectKeyExchange() error {
	ch, sc, retry := hs.hello, hs.choice, hs.retry
	if err := checkKeyShares(ch); err != nil {
		return err
	}
	modeFound := false
	for _, m := range hs.config.modes() {
		if !offersMode(ch, m) {
			continue
		}
		modeFound = true
		if m == KeyExchangePSK {
			sc.mode = m
			return nil
		}
		if !ch.hasGroups || !ch.hasKeyShares {
			return fail(AlertMissingExtension, ErrMissingExtension, "psk_dhe_ke without supported_groups and key_share")
		}
		if retry != nil {
			if len(ch.keyShares) != 1 || ch.keyShares[0].group != retry.group {
				return fail(AlertIllegalParameter, ErrIllegalParameter, "second ClientHello lacks the requested key share")
			}
			sc.mode, sc.group, sc.share = m, retry.group, ch.keyShares[0].data
			return nil
		}
		for _, g := range hs.config.groups() {
			for _, ks := range ch.keyShares {
				if ks.group == g {
					sc.mode, sc.group, sc.share = m, g, ks.data
					return nil
				}
			}
		}
		for _, g := range hs.config.groups() {
			if hasGroup(ch.groups, g) {
				sc.mode, sc.group = m, g
				return nil
			}
		}
		// No group in common: a later mode (psk_ke) may still do.
	}
	if modeFound {
		return fail(AlertHandshakeFailure, ErrNoGroup, "")
	}
	return fail(AlertHandshakeFailure, ErrNoKeyExchangeMode, "")
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
