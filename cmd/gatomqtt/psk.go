package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
)

// readPSKConfig builds the TLS-PSK server configuration from the
// identities file. psk_dhe_ke is always accepted and preferred; psk_ke
// only with -psk-allow-no-dhe, as OpenSSL's -allow_no_dhe_kex does. An
// unknown identity gets the wrong key's alert, decrypt_error, unless
// -psk-reveal-unknown-identity asks for unknown_psk_identity, for clients
// that act on it.
func readPSKConfig(o options) (*tlspsk.Config, error) {
	f, err := os.Open(o.pskFile)
	if err != nil {
		return nil, fmt.Errorf("psk file: %w", err)
	}
	defer f.Close()
	psks, err := tlspsk.ParsePSKFile(f)
	if err != nil {
		return nil, fmt.Errorf("psk file %s: %w", o.pskFile, err)
	}
	cfg := &tlspsk.Config{
		PSKs:                  psks,
		KeyExchangeModes:      []tlspsk.KeyExchangeMode{tlspsk.KeyExchangePSKDHE},
		RevealUnknownIdentity: o.pskReveal,
	}
	if o.pskNoDHE {
		cfg.KeyExchangeModes = append(cfg.KeyExchangeModes, tlspsk.KeyExchangePSK)
	}
	return cfg, nil
}

func modeNames(modes []tlspsk.KeyExchangeMode) string {
	names := make([]string, len(modes))
	for i, m := range modes {
		names[i] = m.String()
	}
	return strings.Join(names, ", ")
}
