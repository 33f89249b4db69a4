package tlspsk

// The client's checks of what the server answered.

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
