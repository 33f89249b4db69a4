package tlspsk

import (
	"crypto/hmac"
	"crypto/sha256"
)

// hkdfExpandForTest is RFC 5869 HKDF-Expand written out, independent of
// crypto/hkdf, to cross-check the label encoding.
func hkdfExpandForTest(prk, info []byte, length int) []byte {
	var out, prev []byte
	for i := byte(1); len(out) < length; i++ {
		m := hmac.New(sha256.New, prk)
		m.Write(prev)
		m.Write(info)
		m.Write([]byte{i})
		prev = m.Sum(nil)
		out = append(out, prev...)
	}
	return out[:length]
}
