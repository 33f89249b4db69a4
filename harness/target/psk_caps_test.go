package target

import (
	"strings"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
)

func TestPSKCapabilitiesMissing(t *testing.T) {
	gcmOnly := PSKCapabilities{
		Modes:             []tlspsk.KeyExchangeMode{tlspsk.KeyExchangePSKDHE},
		CipherSuites:      []tlspsk.CipherSuite{tlspsk.TLS_AES_128_GCM_SHA256},
		Groups:            []tlspsk.Group{tlspsk.X25519, tlspsk.P256},
		MaxFragmentLength: true,
	}
	tests := []struct {
		name string
		caps PSKCapabilities
		n    PSKNeeds
		want []string
	}{
		{"full", FullPSK, PSKNeeds{PSKKE: true, Suite: tlspsk.TLS_AES_128_CCM_8_SHA256, Group: tlspsk.P256, MaxFragmentLength: true, RecordSizeLimit: true}, nil},
		{"nothing", PSKCapabilities{}, PSKNeeds{}, nil},
		{"mosquitto psk_ke", gcmOnly, PSKNeeds{PSKKE: true}, []string{"mosquitto refuses psk_ke"}},
		{"suite", gcmOnly, PSKNeeds{Suite: tlspsk.TLS_AES_128_CCM_SHA256},
			[]string{"needs cipher suite TLS_AES_128_CCM_SHA256 (mosquitto accepts TLS_AES_128_GCM_SHA256)"}},
		{"group and rsl", PSKCapabilities{Groups: []tlspsk.Group{tlspsk.X25519}}, PSKNeeds{Group: tlspsk.P256, RecordSizeLimit: true, MaxFragmentLength: true},
			[]string{"key shares in secp256r1 (mosquitto takes x25519)", "max_fragment_length", "record_size_limit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.caps.Missing(tt.n, "mosquitto")
			if len(got) != len(tt.want) {
				t.Fatalf("Missing = %q, want %d reasons like %q", got, len(tt.want), tt.want)
			}
			for i := range got {
				if !strings.Contains(got[i], tt.want[i]) {
					t.Errorf("reason %d = %q, want it to contain %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}
