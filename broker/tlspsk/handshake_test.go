package tlspsk

import "testing"

// TestFailuresNameTheirStage: a failure found on this side says which
// stage of the handshake found it, and the peer's alert is reported as
// it came.
func TestFailuresNameTheirStage(t *testing.T) {
	flip := func(v []byte) { v[0] ^= 1 }
	t.Run("bad binder", func(t *testing.T) {
		p := handshake(t, overMem, clientConfig(func(c *Config) { c.PSK.Key = otherKey }), serverConfig())
		want := "tlspsk: selecting PSK: PSK binder does not verify: identity \"board-7\" (sent decrypt_error)"
		if p.svrErr == nil || p.svrErr.Error() != want {
			t.Errorf("server error %q, want %q", p.svrErr, want)
		}
		want = "tlspsk: peer sent alert decrypt_error (51)"
		if p.clientErr == nil || p.clientErr.Error() != want {
			t.Errorf("client error %q, want %q", p.clientErr, want)
		}
	})
	t.Run("bad server Finished", func(t *testing.T) {
		p := handshake(t, overMem, clientConfig(), serverConfig(), func(p *pair) { p.server.hooks = &testHooks{finished: flip} })
		want := "tlspsk: reading server Finished: Finished does not verify: server Finished (sent decrypt_error)"
		if p.clientErr == nil || p.clientErr.Error() != want {
			t.Errorf("client error %q, want %q", p.clientErr, want)
		}
	})
	t.Run("second ClientHello", func(t *testing.T) {
		// The server retries for P-256; the client's second hello, the
		// one with a P-256 share, loses it on arrival and fails in the
		// server's negotiation, whose stage is named rather than the
		// retry around it.
		p := handshake(t, overMem, clientConfig(), serverConfig(func(c *Config) { c.Groups = []Group{P256} }),
			func(p *pair) {
				p.server.hooks = &testHooks{receivedClientHello: func(ch *clientHello) {
					if len(ch.keyShares) == 1 && ch.keyShares[0].group == P256 {
						ch.keyShares = ch.keyShares[:0]
					}
				}}
			})
		want := "tlspsk: selecting key exchange: illegal parameter: second ClientHello lacks the requested key share (sent illegal_parameter)"
		if p.svrErr == nil || p.svrErr.Error() != want {
			t.Errorf("server error %q, want %q", p.svrErr, want)
		}
	})
}
