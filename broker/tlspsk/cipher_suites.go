package tlspsk

import (
	"crypto/aes"
	"crypto/cipher"
	"strconv"

	"github.com/pion/dtls/v2/pkg/crypto/ccm"
)

// CipherSuite is a TLS 1.3 cipher suite identifier.
type CipherSuite uint16

// The cipher suites this package implements. All use SHA-256, the hash
// external PSKs are bound to here.
const (
	TLS_AES_128_GCM_SHA256   CipherSuite = 0x1301
	TLS_AES_128_CCM_SHA256   CipherSuite = 0x1304
	TLS_AES_128_CCM_8_SHA256 CipherSuite = 0x1305
)

func (s CipherSuite) String() string {
	if cs := suiteByID(uint16(s)); cs != nil {
		return cs.name
	}
	return "suite(0x" + strconv.FormatUint(uint64(s), 16) + ")"
}

const (
	keyLen   = 16 // AES-128
	nonceLen = 12 // RFC 8446 section 5.3 for all three suites
	hashLen  = 32 // SHA-256
	maxTag   = 16 // largest AEAD expansion among the suites
)

type cipherSuite struct {
	id   CipherSuite
	name string
	tag  int
	aead func(key []byte) (cipher.AEAD, error)
}

var suites = [...]cipherSuite{
	{TLS_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256", 16, newGCM},
	{TLS_AES_128_CCM_SHA256, "TLS_AES_128_CCM_SHA256", 16, newCCM16},
	{TLS_AES_128_CCM_8_SHA256, "TLS_AES_128_CCM_8_SHA256", 8, newCCM8},
}

func suiteByID(id uint16) *cipherSuite {
	for i := range suites {
		if uint16(suites[i].id) == id {
			return &suites[i]
		}
	}
	return nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

func newCCM16(key []byte) (cipher.AEAD, error) { return newCCM(key, 16) }
func newCCM8(key []byte) (cipher.AEAD, error)  { return newCCM(key, 8) }

func newCCM(key []byte, tag int) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return ccm.NewCCM(b, tag, nonceLen)
}
