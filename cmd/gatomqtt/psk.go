package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
)

// readPSKFile reads and checks the identities file.
func readPSKFile(path string) ([]tlspsk.PSK, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("psk file: %w", err)
	}
	defer f.Close()
	psks, err := tlspsk.ParsePSKFile(f)
	if err != nil {
		return nil, fmt.Errorf("psk file %s: %w", path, err)
	}
	return psks, nil
}

// pskConfig builds the TLS-PSK server configuration, which finds keys in
// keys so that a reload changes them. psk_dhe_ke is always accepted and
// preferred; psk_ke only with -psk-allow-no-dhe, as OpenSSL's
// -allow_no_dhe_kex does.
func pskConfig(o options, keys *pskKeys) *tlspsk.Config {
	cfg := &tlspsk.Config{
		LookupPSK:             keys.lookup,
		RevealUnknownIdentity: o.pskReveal,
		KeyExchangeModes:      []tlspsk.KeyExchangeMode{tlspsk.KeyExchangePSKDHE},
	}
	if o.pskNoDHE {
		cfg.KeyExchangeModes = append(cfg.KeyExchangeModes, tlspsk.KeyExchangePSK)
	}
	return cfg
}

func modeNames(modes []tlspsk.KeyExchangeMode) string {
	names := make([]string, len(modes))
	for i, m := range modes {
		names[i] = m.String()
	}
	return strings.Join(names, ", ")
}
