package target

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

	// Alerts are the alerts the endpoint is declared to refuse handshakes
	// with. RFC 8446 lets servers choose among several, so specs check an
	// exact alert only where the target declares one.
	Alerts PSKAlerts
	// WaitsForHello: the endpoint keeps a connection whose ClientHello is
	// incomplete open for the whole connect timeout, not closing it early.
	WaitsForHello bool
}

// PSKAlerts name the alerts a TLS-PSK endpoint may send for each refusal.
// A set of more than one alert declares an implementation whose choice
// depends on its configuration, which the target does not know (this
// project's server answers an unknown identity with decrypt_error, or
// with unknown_psk_identity when told to reveal it); the empty set means
// the alert is not declared.
type PSKAlerts struct {
	WrongKey        AlertSet // a PSK binder that does not verify
	UnknownIdentity AlertSet // an identity the endpoint does not know
	ModeRefused     AlertSet // psk_ke alone, where only psk_dhe_ke is taken
}

// AlertSet is a set of TLS alerts. It is comparable, so PSKCapabilities
// stay comparable with ==.
type AlertSet struct{ bits [4]uint64 }

// Alerts returns the set of the alerts given.
func Alerts(alerts ...tlspsk.Alert) AlertSet {
	var s AlertSet
	for _, a := range alerts {
		s.bits[a/64] |= 1 << (a % 64)
	}
	return s
}

// Has reports whether a is in the set.
func (s AlertSet) Has(a tlspsk.Alert) bool { return s.bits[a/64]&(1<<(a%64)) != 0 }

// Empty reports whether the set declares no alert.
func (s AlertSet) Empty() bool { return s == AlertSet{} }

// List returns the alerts in the set, in numeric order.
func (s AlertSet) List() []tlspsk.Alert {
	var out []tlspsk.Alert
	for a := 0; a < 256; a++ {
		if s.Has(tlspsk.Alert(a)) {
			out = append(out, tlspsk.Alert(a))
		}
	}
	return out
}

// Only returns the set's alert when it holds exactly one.
func (s AlertSet) Only() (tlspsk.Alert, bool) {
	if l := s.List(); len(l) == 1 {
		return l[0], true
	}
	return 0, false
}

// String lists the alerts by name, "none" for the empty set.
func (s AlertSet) String() string {
	l := s.List()
	if len(l) == 0 {
		return "none"
	}
	return join(l)
}

// FullPSK is every mode, suite, group and record size extension this
// project's tlspsk client can offer: what its server supports, and the
// default for an endpoint whose peer declares nothing (fixtures/peers
// declares the project's own alerts).
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

// PSKOptions reads the options that describe a TLS-PSK endpoint,
// starting from def:
//
//	psk_ke=bool              accepts a client offering psk_ke alone
//	psk_suites=gcm,ccm,ccm8  cipher suites accepted
//	psk_groups=x25519,p256   groups key shares are taken in
//	psk_mfl=bool             honours max_fragment_length
//	psk_rsl=bool             honours record_size_limit
//
// used reports whether any of them was given.
func PSKOptions(o *Options, def PSKCapabilities) (c PSKCapabilities, used bool) {
	c = def
	for _, k := range []string{"psk_ke", "psk_suites", "psk_groups", "psk_mfl", "psk_rsl"} {
		used = o.Has(k) || used
	}
	hasKE := slices.Contains(def.Modes, tlspsk.KeyExchangePSK)
	c.Modes = []tlspsk.KeyExchangeMode{tlspsk.KeyExchangePSKDHE}
	if o.Bool("psk_ke", hasKE) {
		c.Modes = append(c.Modes, tlspsk.KeyExchangePSK)
	}
	c.CipherSuites = pskList(o, "psk_suites", pskSuiteNames, def.CipherSuites)
	c.Groups = pskList(o, "psk_groups", pskGroupNames, def.Groups)
	c.MaxFragmentLength = o.Bool("psk_mfl", def.MaxFragmentLength)
	c.RecordSizeLimit = o.Bool("psk_rsl", def.RecordSizeLimit)
	return c, used
}

func pskList[T any](o *Options, key string, names map[string]T, def []T) []T {
	v := o.String(key, "")
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
			o.Errorf("option %s: unknown %q (known: %s)", key, name, strings.Join(known, ", "))
			return def
		}
		out = append(out, x)
	}
	return out
}

// PSKEndpointOptions reads the options of a TLS-PSK endpoint at an
// address: psk=host:port, psk_identity and psk_key (hex), and the
// capability options of PSKOptions starting from def (what the peer behind
// the address is declared to negotiate). Without psk= it returns a nil
// endpoint, and an error if any other of these options is given.
func PSKEndpointOptions(o *Options, def PSKCapabilities) (*PSKEndpoint, PSKCapabilities, error) {
	addr := o.String("psk", "")
	caps, capsGiven := PSKOptions(o, def)
	if addr == "" {
		if o.Has("psk_identity") || o.Has("psk_key") || capsGiven {
			return nil, PSKCapabilities{}, fmt.Errorf("options psk_identity, psk_key and psk_* need psk=host:port")
		}
		return nil, PSKCapabilities{}, nil
	}
	key, err := hex.DecodeString(o.String("psk_key", ""))
	if err != nil || len(key) == 0 {
		return nil, PSKCapabilities{}, fmt.Errorf("option psk needs psk_key as non-empty hex")
	}
	id := o.String("psk_identity", "")
	if id == "" {
		return nil, PSKCapabilities{}, fmt.Errorf("option psk needs psk_identity")
	}
	return &PSKEndpoint{Address: addr, Identity: id, Key: key}, caps, nil
}
