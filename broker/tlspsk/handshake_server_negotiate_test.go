package tlspsk

import (
	"errors"
	"slices"
	"testing"
)

// binderCheck is one call of the binderChecked hook.
type binderCheck struct {
	index    int
	verified bool
}

// refusal is what can be seen of a refused handshake: by the client, the
// alert; inside the server, the stage that failed and the binder checks
// it made on the way.
type refusal struct {
	alert  Alert
	stage  string
	checks []binderCheck
}

// refuse runs a handshake the server must refuse and reports it, with the
// sentinel the server's error wraps.
func refuse(t *testing.T, ccfg, scfg *Config) (refusal, error) {
	t.Helper()
	var checks []binderCheck
	p := handshake(t, overMem, ccfg, scfg, func(p *pair) {
		p.server.hooks = &testHooks{binderChecked: func(i int, ok bool) {
			checks = append(checks, binderCheck{i, ok})
		}}
	})
	sent, ok := SentAlert(p.svrErr)
	if !ok {
		t.Fatalf("server error %v, want a refusal", p.svrErr)
	}
	wantRemote(t, "client", p.clientErr, sent)
	var le *localError
	if !errors.As(p.svrErr, &le) {
		t.Fatalf("server error %v is no local failure", p.svrErr)
	}
	return refusal{alert: sent, stage: le.stage, checks: checks}, p.svrErr
}

// TestUnknownIdentityLooksLikeWrongKey: by default a server answers an
// identity it does not know exactly as it answers a known one with a
// wrong key: after one binder check, in the same stage, with
// decrypt_error, so that a client cannot list the identities it knows
// (RFC 8446 sections 4.2.11 and 6.2). Config.RevealUnknownIdentity
// changes the alert and nothing else. The server's own error still says
// which it was.
func TestUnknownIdentityLooksLikeWrongKey(t *testing.T) {
	reveal := func(c *Config) { c.RevealUnknownIdentity = true }
	unverified := []binderCheck{{0, false}}
	tests := []struct {
		name     string
		client   *Config
		server   *Config
		sentinel error
		want     refusal
	}{
		{"wrong key", clientConfig(func(c *Config) { c.PSK.Key = otherKey }), serverConfig(),
			ErrBadBinder, refusal{AlertDecryptError, "selecting PSK", unverified}},
		{"unknown identity", clientConfig(func(c *Config) { c.PSK.Identity = "stranger" }), serverConfig(),
			ErrUnknownIdentity, refusal{AlertDecryptError, "selecting PSK", unverified}},
		// A binder made with the dummy key verifies, and changes nothing.
		{"unknown identity with the dummy key", clientConfig(func(c *Config) { c.PSK = PSK{"stranger", dummyPSK[:]} }), serverConfig(),
			ErrUnknownIdentity, refusal{AlertDecryptError, "selecting PSK", []binderCheck{{0, true}}}},
		{"unknown identity to LookupPSK", clientConfig(func(c *Config) { c.PSK.Identity = "board-8" }),
			&Config{LookupPSK: func([]byte) ([]byte, bool) { return nil, false }},
			ErrUnknownIdentity, refusal{AlertDecryptError, "selecting PSK", unverified}},
		{"wrong key, identity revealed", clientConfig(func(c *Config) { c.PSK.Key = otherKey }), serverConfig(reveal),
			ErrBadBinder, refusal{AlertDecryptError, "selecting PSK", unverified}},
		{"unknown identity revealed", clientConfig(func(c *Config) { c.PSK.Identity = "stranger" }), serverConfig(reveal),
			ErrUnknownIdentity, refusal{AlertUnknownPSKIdentity, "selecting PSK", unverified}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := refuse(t, tt.client, tt.server)
			if !errors.Is(err, tt.sentinel) {
				t.Errorf("server error %v, want %v", err, tt.sentinel)
			}
			if got.alert != tt.want.alert || got.stage != tt.want.stage || !slices.Equal(got.checks, tt.want.checks) {
				t.Errorf("refused with %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestLookupFindsEveryIdentity: lookup, which compares every identity
// rather than stopping at the first match, still finds each one, the
// first of duplicates, and nothing for a prefix or an extension of one.
func TestLookupFindsEveryIdentity(t *testing.T) {
	cfg := serverConfig(func(c *Config) {
		c.PSKs = append(c.PSKs, PSK{Identity: "board-7", Key: []byte("a later duplicate")})
	})
	tests := []struct {
		identity string
		key      []byte
		ok       bool
	}{
		{"board-1", otherKey, true},
		{"board-7", testKey, true},
		{"board-", nil, false},
		{"board-77", nil, false},
		{"", nil, false},
	}
	for _, tt := range tests {
		key, ok := cfg.lookup([]byte(tt.identity))
		if ok != tt.ok || string(key) != string(tt.key) {
			t.Errorf("lookup(%q) = %q, %v; want %q, %v", tt.identity, key, ok, tt.key, tt.ok)
		}
	}
}
