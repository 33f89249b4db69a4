package tlspsk

import (
	"crypto/rand"
	"crypto/subtle"
	"io"
	"strconv"
)

// PSK is an external pre-shared key and the identity that names it.
// The key is used with SHA-256 (RFC 8446 section 4.2.11).
type PSK struct {
	Identity string
	Key      []byte
}

// KeyExchangeMode is a PSK key exchange mode (RFC 8446 section 4.2.9).
type KeyExchangeMode uint8

const (
	// KeyExchangePSK is psk_ke: the PSK alone keys the connection. No
	// forward secrecy, no public-key operation; what small boards often use.
	KeyExchangePSK KeyExchangeMode = 0
	// KeyExchangePSKDHE is psk_dhe_ke: the PSK authenticates an (EC)DHE
	// exchange, so past traffic stays secret if the PSK leaks later.
	KeyExchangePSKDHE KeyExchangeMode = 1
)

func (m KeyExchangeMode) String() string {
	switch m {
	case KeyExchangePSK:
		return "psk_ke"
	case KeyExchangePSKDHE:
		return "psk_dhe_ke"
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// Group is a named group for psk_dhe_ke key shares.
type Group uint16

// Supported groups.
const (
	P256   Group = 0x0017 // secp256r1
	X25519 Group = 0x001d
)

func (g Group) String() string {
	switch g {
	case P256:
		return "secp256r1"
	case X25519:
		return "x25519"
	case 0:
		return "none"
	}
	return "group(" + strconv.Itoa(int(g)) + ")"
}

// Record size limits.
const (
	// MaxPlaintext is the protocol's largest record plaintext, 2^14 bytes.
	MaxPlaintext = 1 << 14
	// MinRecordSizeLimit and MaxRecordSizeLimit bound the record_size_limit
	// value in TLS 1.3 (RFC 8449): the limit counts the inner content-type
	// byte, so the largest is 2^14+1.
	MinRecordSizeLimit = 64
	MaxRecordSizeLimit = MaxPlaintext + 1
)

// Config configures a client or a server. A Config may be shared by many
// connections and must not be modified after first use.
type Config struct {
	// PSK is the identity and key a client offers. Servers ignore it.
	PSK PSK

	// PSKs are the identities a server accepts, with their keys. Clients
	// ignore them.
	PSKs []PSK
	// LookupPSK, when set, is asked by a server for identities not found
	// in PSKs. It returns the key and true when the identity is known.
	LookupPSK func(identity []byte) (key []byte, ok bool)

	// RevealUnknownIdentity makes a server answer a ClientHello none of
	// whose identities it knows with the alert unknown_psk_identity. By
	// default it answers decrypt_error, the alert for a PSK binder that
	// does not verify, after checking the first binder against a dummy
	// key: an unknown identity then looks like a known one with a wrong
	// key, on the wire and in the work done, so that a client cannot list
	// the identities a server knows (RFC 8446 section 4.2.11 allows either
	// alert). Set it for peers that act on the distinct alert, at that
	// cost. The error the server's handshake returns wraps
	// ErrUnknownIdentity either way. Clients ignore it.
	RevealUnknownIdentity bool

	// CipherSuites in order of preference. A server picks the first of its
	// list that the client offers. Empty means DefaultCipherSuites.
	CipherSuites []CipherSuite

	// KeyExchangeModes in order of preference. A client offers them all; a
	// server picks the first of its list that the client offers. Empty
	// means psk_dhe_ke only, on both sides: psk_ke must be chosen
	// explicitly, as with OpenSSL's -allow_no_dhe_kex.
	KeyExchangeModes []KeyExchangeMode

	// Groups for psk_dhe_ke in order of preference. A client sends a key
	// share for the first and lists them all in supported_groups; a server
	// takes a share in the first of its groups the client sent a share
	// for, and otherwise asks for one with HelloRetryRequest. Empty means
	// X25519 then P-256.
	Groups []Group

	// MaxFragmentLength, on a client, requests records of at most this many
	// plaintext bytes in both directions (RFC 6066): 512, 1024, 2048 or
	// 4096, or 0 not to ask. Servers always honour the request, except
	// that a record_size_limit offered alongside takes precedence (RFC 8449
	// section 5). It sizes the client's buffers; with RecordSizeLimit also
	// set, the larger of the two does.
	MaxFragmentLength int

	// RecordSizeLimit is the record_size_limit (RFC 8449) this side
	// advertises: the largest protected record plaintext it accepts,
	// content-type byte included, 64..16385. A client sends it when
	// non-zero; a server sends it when the client sent one. It also sizes
	// this side's receive buffer, so protected records above it are
	// refused with record_overflow; the peer's unprotected hello is not
	// bound by it (see BufferBytes). Zero means 16385 and, on a client,
	// not offered.
	//
	// A client's limit binds the server only when the server answers it
	// (RFC 8449 section 4; likewise max_fragment_length, RFC 6066 section
	// 4). Many servers answer neither (OpenSSL 3.0, hence mosquitto, knows
	// only max_fragment_length): then the client grows its receive buffer
	// once, during the handshake, to the protocol's 16 KiB records, unless
	// RequireRecordLimit says to fail instead.
	RecordSizeLimit int

	// RequireRecordLimit, on a client that sets MaxFragmentLength or
	// RecordSizeLimit, fails the handshake with ErrRecordLimitRefused
	// (alert handshake_failure) when the server agrees to neither, instead
	// of growing the receive buffer to 16406 bytes. For boards that
	// cannot afford a 16 KiB record. Servers ignore it.
	RequireRecordLimit bool

	// Rand is the source of randomness; nil means crypto/rand. TinyGo
	// 0.37 gives crypto/rand no source on some boards, the Pico (RP2040)
	// among them, whose machine.GetRNG is not cryptographically secure
	// either: there Rand must be set, or every handshake fails with
	// ErrConfig.
	Rand io.Reader
}

// DefaultCipherSuites is the cipher suite preference used when
// Config.CipherSuites is empty.
var DefaultCipherSuites = []CipherSuite{
	TLS_AES_128_GCM_SHA256,
	TLS_AES_128_CCM_SHA256,
	TLS_AES_128_CCM_8_SHA256,
}

var (
	defaultModes  = []KeyExchangeMode{KeyExchangePSKDHE}
	defaultGroups = []Group{X25519, P256}
)

func (c *Config) cipherSuites() []CipherSuite {
	if len(c.CipherSuites) == 0 {
		return DefaultCipherSuites
	}
	return c.CipherSuites
}

func (c *Config) modes() []KeyExchangeMode {
	if len(c.KeyExchangeModes) == 0 {
		return defaultModes
	}
	return c.KeyExchangeModes
}

func (c *Config) groups() []Group {
	if len(c.Groups) == 0 {
		return defaultGroups
	}
	return c.Groups
}

func (c *Config) rand() io.Reader {
	if c.Rand == nil {
		return rand.Reader
	}
	return c.Rand
}

// lookup returns the server's key for identity. It compares identity
// with every one in PSKs, in constant time for identities of equal
// length, rather than stopping at the first match or the first differing
// byte, so that how long it takes says little about which identities the
// server knows. LookupPSK's own timing is its business.
func (c *Config) lookup(identity []byte) ([]byte, bool) {
	var key []byte
	found := false
	for i := range c.PSKs {
		if subtle.ConstantTimeCompare([]byte(c.PSKs[i].Identity), identity) == 1 && !found {
			key, found = c.PSKs[i].Key, true
		}
	}
	if found {
		return key, true
	}
	if c.LookupPSK != nil {
		return c.LookupPSK(identity)
	}
	return nil, false
}

func configError(detail string) error {
	return &configErr{detail}
}

type configErr struct{ detail string }

func (e *configErr) Error() string { return ErrConfig.Error() + ": " + e.detail }
func (e *configErr) Unwrap() error { return ErrConfig }

// CheckServer reports the first problem that would fail every server
// handshake with this Config, as an error wrapping ErrConfig, so that a
// listener can refuse the Config before it accepts connections. A nil
// Config is such a problem.
func (c *Config) CheckServer() error { return c.check(false) }

// CheckClient is CheckServer for client handshakes.
func (c *Config) CheckClient() error { return c.check(true) }

// check reports the first problem that makes the Config unusable.
func (c *Config) check(isClient bool) error {
	if c == nil {
		return configError("nil Config")
	}
	if isClient {
		if len(c.PSK.Identity) == 0 || len(c.PSK.Identity) > 0xffff {
			return configError("client PSK identity must be 1 to 65535 bytes")
		}
		if len(c.PSK.Key) == 0 {
			return configError("client PSK key is empty")
		}
	} else {
		if len(c.PSKs) == 0 && c.LookupPSK == nil {
			return configError("server has no PSKs and no LookupPSK")
		}
		for i := range c.PSKs {
			if len(c.PSKs[i].Identity) == 0 || len(c.PSKs[i].Key) == 0 {
				return configError("server PSK " + strconv.Itoa(i) + " has an empty identity or key")
			}
		}
	}
	for _, s := range c.CipherSuites {
		if suiteByID(uint16(s)) == nil {
			return configError("unsupported cipher suite " + s.String())
		}
	}
	for _, m := range c.KeyExchangeModes {
		if m != KeyExchangePSK && m != KeyExchangePSKDHE {
			return configError("unknown key exchange mode " + m.String())
		}
	}
	for _, g := range c.Groups {
		if g != X25519 && g != P256 {
			return configError("unsupported group " + g.String())
		}
	}
	switch c.MaxFragmentLength {
	case 0, 512, 1024, 2048, 4096:
	default:
		return configError("MaxFragmentLength must be 0, 512, 1024, 2048 or 4096")
	}
	if c.RecordSizeLimit != 0 && (c.RecordSizeLimit < MinRecordSizeLimit || c.RecordSizeLimit > MaxRecordSizeLimit) {
		return configError("RecordSizeLimit must be 0 or 64 to 16385")
	}
	if isClient && c.RequireRecordLimit && c.MaxFragmentLength == 0 && c.RecordSizeLimit == 0 {
		return configError("RequireRecordLimit needs MaxFragmentLength or RecordSizeLimit")
	}
	if c.rand() == nil {
		// Rather than a nil dereference in the middle of the handshake.
		return configError("no source of randomness: crypto/rand has none on this target, set Config.Rand")
	}
	return nil
}

// mflCode maps a fragment length to its RFC 6066 code and back.
func mflCode(n int) uint8 {
	switch n {
	case 512:
		return 1
	case 1024:
		return 2
	case 2048:
		return 3
	case 4096:
		return 4
	}
	return 0
}

func mflLength(code uint8) int {
	if code < 1 || code > 4 {
		return 0
	}
	return 256 << code
}
