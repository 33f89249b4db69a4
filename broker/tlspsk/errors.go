package tlspsk

import "errors"

// Errors returned, wrapped with context, when a handshake or record fails
// on this side. Test with errors.Is. SentAlert tells which alert went to
// the peer.
var (
	// ErrUnknownIdentity: none of the client's PSK identities is known to
	// the server (alert decrypt_error, as for ErrBadBinder, so that the
	// client cannot tell; unknown_psk_identity with
	// Config.RevealUnknownIdentity).
	ErrUnknownIdentity = errors.New("unknown PSK identity")
	// ErrBadBinder: the PSK binder does not verify, usually because the two
	// sides hold different keys for the identity (alert decrypt_error).
	ErrBadBinder = errors.New("PSK binder does not verify")
	// ErrBadFinished: the peer's Finished does not verify (decrypt_error).
	ErrBadFinished = errors.New("Finished does not verify")
	// ErrMissingExtension: a required extension is absent, such as
	// psk_key_exchange_modes next to pre_shared_key (missing_extension).
	ErrMissingExtension = errors.New("required extension missing")
	// ErrUnsupportedExtension: the server answered an extension the client
	// did not offer (unsupported_extension).
	ErrUnsupportedExtension = errors.New("extension not offered")
	// ErrIllegalParameter: a field is well formed but not allowed, such as
	// pre_shared_key not being the last extension (illegal_parameter).
	ErrIllegalParameter = errors.New("illegal parameter")
	// ErrDecode: a message is malformed (decode_error).
	ErrDecode = errors.New("malformed message")
	// ErrProtocolVersion: the peer does not offer or select TLS 1.3
	// (protocol_version).
	ErrProtocolVersion = errors.New("peer does not speak TLS 1.3")
	// ErrNoPSK: the client offered no pre-shared key; this package does
	// not do certificate authentication (handshake_failure).
	ErrNoPSK = errors.New("client offered no pre-shared key")
	// ErrNoCipherSuite: no cipher suite is acceptable to both sides
	// (handshake_failure).
	ErrNoCipherSuite = errors.New("no cipher suite in common")
	// ErrNoKeyExchangeMode: no PSK key exchange mode is acceptable to both
	// sides (handshake_failure).
	ErrNoKeyExchangeMode = errors.New("no PSK key exchange mode in common")
	// ErrNoGroup: psk_dhe_ke was chosen but no key share group is in
	// common (handshake_failure).
	ErrNoGroup = errors.New("no key share group in common")
	// ErrUnexpectedMessage: a message or record arrived out of order
	// (unexpected_message).
	ErrUnexpectedMessage = errors.New("unexpected message")
	// ErrBadRecordMAC: a protected record failed authentication
	// (bad_record_mac).
	ErrBadRecordMAC = errors.New("record authentication failed")
	// ErrRecordOverflow: a record exceeds the protocol's or this side's
	// negotiated size limit (record_overflow).
	ErrRecordOverflow = errors.New("record too large")
	// ErrHandshakeTooLarge: a handshake message does not fit this side's
	// fixed buffers (handshake_failure).
	ErrHandshakeTooLarge = errors.New("handshake message larger than the record limit")
	// ErrRecordLimitRefused: a client with Config.RequireRecordLimit asked
	// for small records and the server answered neither record_size_limit
	// nor max_fragment_length, so it may send records of the protocol's
	// 16 KiB (handshake_failure).
	ErrRecordLimitRefused = errors.New("server agreed to no record size limit")
	// ErrInternal: a local operation failed, e.g. the random source
	// (internal_error).
	ErrInternal = errors.New("internal error")
)

// Errors about the local configuration or use of a Conn. They are not sent
// to the peer as protocol alerts unless a handshake was under way.
var (
	// ErrConfig: the Config is unusable (no PSK, unknown suite, ...).
	ErrConfig = errors.New("tlspsk: invalid configuration")
	// ErrClosed: the Conn was closed by this side.
	ErrClosed = errors.New("tlspsk: use of closed connection")
	// ErrNoDeadline: the transport does not support deadlines.
	ErrNoDeadline = errors.New("tlspsk: transport does not support deadlines")
	// ErrHandshakeNotDone: the operation needs a completed handshake.
	ErrHandshakeNotDone = errors.New("tlspsk: handshake not complete")
)
