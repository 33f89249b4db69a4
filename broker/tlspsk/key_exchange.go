package tlspsk

import (
	"crypto/ecdh"
	"io"
)

func curveFor(g Group) ecdh.Curve {
	switch g {
	case X25519:
		return ecdh.X25519()
	case P256:
		return ecdh.P256()
	}
	return nil
}

// newKeyShare generates an ephemeral key for group g.
func newKeyShare(g Group, rand io.Reader) (*ecdh.PrivateKey, error) {
	curve := curveFor(g)
	if curve == nil {
		return nil, fail(AlertInternalError, ErrInternal, "no curve for "+g.String())
	}
	k, err := curve.GenerateKey(rand)
	if err != nil {
		return nil, fail(AlertInternalError, ErrInternal, "generating key share: "+err.Error())
	}
	return k, nil
}

// sharedSecret runs ECDH against the peer's key share; a malformed or
// degenerate share is an illegal_parameter (RFC 8446 section 4.2.8).
func sharedSecret(priv *ecdh.PrivateKey, peer []byte) ([]byte, error) {
	pub, err := priv.Curve().NewPublicKey(peer)
	if err != nil {
		return nil, fail(AlertIllegalParameter, ErrIllegalParameter, "key share is not a valid point")
	}
	s, err := priv.ECDH(pub)
	if err != nil {
		return nil, fail(AlertIllegalParameter, ErrIllegalParameter, "key share gives a degenerate secret")
	}
	return s, nil
}

func hasMode(modes []KeyExchangeMode, m KeyExchangeMode) bool {
	for _, x := range modes {
		if x == m {
			return true
		}
	}
	return false
}

func hasGroup(groups []Group, g Group) bool {
	for _, x := range groups {
		if x == g {
			return true
		}
	}
	return false
}
