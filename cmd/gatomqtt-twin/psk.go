package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
)

// pskKeyBytes is the length of the key the twin draws when it is given
// none: 256 bits, as the harness's own targets use.
const pskKeyBytes = 32

// minPSKKeyBytes is the shortest key the twin accepts, 128 bits, as
// cmd/gatomqtt's psk file does.
const minPSKKeyBytes = 16

// pskFlags are the TLS-PSK flags as given.
type pskFlags struct {
	on       bool   // -psk
	identity string // -psk-identity
	key      string // -psk-key, hex
}

// pskSetup is what the twin serves TLS-PSK with: the identity and key,
// and whether it drew the key itself (then it says so on stderr, since
// nothing else tells the host).
type pskSetup struct {
	psk   tlspsk.PSK
	drawn bool
}

// parse checks the flags: TLS-PSK is on with -psk or -psk-key, the
// identity defaults to one drawn at random, and a missing key is drawn.
// It returns nil when TLS-PSK is off.
func (f pskFlags) parse() (*pskSetup, error) {
	if !f.on && f.key == "" {
		if f.identity != "" {
			return nil, errors.New("-psk-identity needs -psk or -psk-key")
		}
		return nil, nil
	}
	s := &pskSetup{psk: tlspsk.PSK{Identity: f.identity}}
	if len(s.psk.Identity) > 255 {
		// The hello carries it in a field of at most 255 bytes.
		return nil, fmt.Errorf("-psk-identity is %d bytes, more than the hello's 255", len(s.psk.Identity))
	}
	if f.key != "" {
		key, err := hex.DecodeString(f.key)
		if err != nil {
			return nil, fmt.Errorf("-psk-key: not hex: %w", err)
		}
		if len(key) < minPSKKeyBytes {
			return nil, fmt.Errorf("-psk-key: %d bytes, want at least %d (128 bits)", len(key), minPSKKeyBytes)
		}
		s.psk.Key = key
	} else {
		s.psk.Key = make([]byte, pskKeyBytes)
		if _, err := rand.Read(s.psk.Key); err != nil {
			return nil, fmt.Errorf("draw a TLS-PSK key: %w", err)
		}
		s.drawn = true
	}
	if s.psk.Identity == "" {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("draw a TLS-PSK identity: %w", err)
		}
		s.psk.Identity = "gatomqtt-twin-" + hex.EncodeToString(b[:])
	}
	return s, nil
}
