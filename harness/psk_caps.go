package harness

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
)

// PSKCapabilities say what a target's TLS-PSK endpoint negotiates. They
// mean something only when the target's Endpoints has a PSK endpoint.
type PSKCapabilities struct {
	// Modes are the key exchange modes the endpoint accepts from a client
	// offering that mode alone (mosquitto, through OpenSSL, refuses a
	// client offering psk_ke alone).
	Modes []tlspsk.KeyExchangeMode
	// CipherSuites the endpoint accepts.
	CipherSuites []tlspsk.CipherSuite
	// Groups the endpoint takes a psk_dhe_ke key share in. A client whose
	// first share is in another group it supports gets a
	// HelloRetryRequest.
	Groups []tlspsk.Group
	// MaxFragmentLength: the endpoint honours max_fragment_length (RFC 6066).
	MaxFragmentLength bool
	// RecordSizeLimit: the endpoint honours record_size_limit (RFC 8449).
	RecordSizeLimit bool
}

// FullPSK is what this project's tlspsk server supports: every mode,
// suite, group and record size extension the client side can offer.
var FullPSK = PSKCapabilities{
	Modes:             []tlspsk.KeyExchangeMode{tlspsk.KeyExchangePSKDHE, tlspsk.KeyExchangePSK},
	CipherSuites:      []tlspsk.CipherSuite{tlspsk.TLS_AES_128_GCM_SHA256, tlspsk.TLS_AES_128_CCM_SHA256, tlspsk.TLS_AES_128_CCM_8_SHA256},
	Groups:            []tlspsk.Group{tlspsk.X25519, tlspsk.P256},
	MaxFragmentLength: true,
	RecordSizeLimit:   true,
}

// PSKNeeds is what a spec requires of a target's TLS-PSK endpoint, beyond
// having one. The zero value needs only the endpoint.
type PSKNeeds struct {
	// PSKKE needs the endpoint to accept a client offering psk_ke alone.
	PSKKE bool
	// Suite, when not zero, needs that cipher suite.
	Suite tlspsk.CipherSuite
	// Group, when not zero, needs key shares in that group.
	Group tlspsk.Group
	// MaxFragmentLength and RecordSizeLimit need the endpoint to honour
	// those extensions.
	MaxFragmentLength bool
	RecordSizeLimit   bool
}

// Missing lists, in words fit for a skip message, what n needs that the
// endpoint does not offer. peer names the implementation, for the reason.
func (c PSKCapabilities) Missing(n PSKNeeds, peer string) []string {
	if peer == "" {
		peer = "the target"
	}
	var m []string
	if n.PSKKE && !slices.Contains(c.Modes, tlspsk.KeyExchangePSK) {
		m = append(m, "needs a TLS-PSK endpoint accepting psk_ke alone ("+peer+" refuses psk_ke)")
	}
	if n.Suite != 0 && !slices.Contains(c.CipherSuites, n.Suite) {
		m = append(m, fmt.Sprintf("needs cipher suite %s (%s accepts %s)", n.Suite, peer, join(c.CipherSuites)))
	}
	if n.Group != 0 && !slices.Contains(c.Groups, n.Group) {
		m = append(m, fmt.Sprintf("needs key shares in %s (%s takes %s)", n.Group, peer, join(c.Groups)))
	}
	if n.MaxFragmentLength && !c.MaxFragmentLength {
		m = append(m, "needs max_fragment_length (RFC 6066), which "+peer+" does not honour")
	}
	if n.RecordSizeLimit && !c.RecordSizeLimit {
		m = append(m, "needs record_size_limit (RFC 8449), which "+peer+" does not honour")
	}
	return m
}

func join[T fmt.Stringer](xs []T) string {
	if len(xs) == 0 {
		return "none"
	}
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = x.String()
	}
	return strings.Join(s, ", ")
}

// Short names of suites and groups in target options.
var (
	pskSuiteNames = map[string]tlspsk.CipherSuite{
		"gcm":  tlspsk.TLS_AES_128_GCM_SHA256,
		"ccm":  tlspsk.TLS_AES_128_CCM_SHA256,
		"ccm8": tlspsk.TLS_AES_128_CCM_8_SHA256,
	}
	pskGroupNames = map[string]tlspsk.Group{
		"x25519": tlspsk.X25519,
		"p256":   tlspsk.P256,
	}
)

// pskCapabilityOptions reads the options that describe a TLS-PSK endpoint,
// starting from def:
//
//	psk_ke=bool              accepts a client offering psk_ke alone
//	psk_suites=gcm,ccm,ccm8  cipher suites accepted
//	psk_groups=x25519,p256   groups key shares are taken in
//	psk_mfl=bool             honours max_fragment_length
//	psk_rsl=bool             honours record_size_limit
//
// used reports whether any of them was given.
func pskCapabilityOptions(o *options, def PSKCapabilities) (c PSKCapabilities, used bool) {
	c = def
	for _, k := range []string{"psk_ke", "psk_suites", "psk_groups", "psk_mfl", "psk_rsl"} {
		used = o.has(k) || used
	}
	hasKE := slices.Contains(def.Modes, tlspsk.KeyExchangePSK)
	c.Modes = []tlspsk.KeyExchangeMode{tlspsk.KeyExchangePSKDHE}
	if o.bool("psk_ke", hasKE) {
		c.Modes = append(c.Modes, tlspsk.KeyExchangePSK)
	}
	c.CipherSuites = pskList(o, "psk_suites", pskSuiteNames, def.CipherSuites)
	c.Groups = pskList(o, "psk_groups", pskGroupNames, def.Groups)
	c.MaxFragmentLength = o.bool("psk_mfl", def.MaxFragmentLength)
	c.RecordSizeLimit = o.bool("psk_rsl", def.RecordSizeLimit)
	return c, used
}

func pskList[T any](o *options, key string, names map[string]T, def []T) []T {
	v := o.str(key, "")
	if v == "" {
		return def
	}
	var out []T
	for _, name := range strings.Split(v, ",") {
		x, ok := names[strings.ToLower(strings.TrimSpace(name))]
		if !ok {
			known := make([]string, 0, len(names))
			for k := range names {
				known = append(known, k)
			}
			slices.Sort(known)
			o.errs = append(o.errs, fmt.Sprintf("option %s: unknown %q (known: %s)", key, name, strings.Join(known, ", ")))
			return def
		}
		out = append(out, x)
	}
	return out
}

// mosquittoPSK is what mosquitto 2.0 with OpenSSL 3.0 negotiates unless
// its listener says otherwise: psk_dhe_ke only, OpenSSL's default TLS 1.3
// suites (GCM among the ones this project implements; ciphers_tls1.3 can
// add the CCM suites), max_fragment_length but not record_size_limit.
var mosquittoPSK = PSKCapabilities{
	Modes:             []tlspsk.KeyExchangeMode{tlspsk.KeyExchangePSKDHE},
	CipherSuites:      []tlspsk.CipherSuite{tlspsk.TLS_AES_128_GCM_SHA256},
	Groups:            []tlspsk.Group{tlspsk.X25519, tlspsk.P256},
	MaxFragmentLength: true,
}

// pskEndpointOptions reads a tcp target's TLS-PSK options: psk=host:port,
// psk_identity and psk_key (hex), and the capability options of
// pskCapabilityOptions, whose defaults depend on peer.
func pskEndpointOptions(o *options, peer string) (*PSKEndpoint, PSKCapabilities, error) {
	def := FullPSK
	if peer == "mosquitto" {
		def = mosquittoPSK
	}
	addr := o.str("psk", "")
	caps, capsGiven := pskCapabilityOptions(o, def)
	if addr == "" {
		if o.has("psk_identity") || o.has("psk_key") || capsGiven {
			return nil, PSKCapabilities{}, fmt.Errorf("options psk_identity, psk_key and psk_* need psk=host:port")
		}
		return nil, PSKCapabilities{}, nil
	}
	key, err := hex.DecodeString(o.str("psk_key", ""))
	if err != nil || len(key) == 0 {
		return nil, PSKCapabilities{}, fmt.Errorf("option psk needs psk_key as non-empty hex")
	}
	id := o.str("psk_identity", "")
	if id == "" {
		return nil, PSKCapabilities{}, fmt.Errorf("option psk needs psk_identity")
	}
	return &PSKEndpoint{Address: addr, Identity: id, Key: key}, caps, nil
}
