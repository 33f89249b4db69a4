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

func TestAlertSet(t *testing.T) {
	tests := []struct {
		set      AlertSet
		empty    bool
		only     tlspsk.Alert
		hasOnly  bool
		str      string
		has, not tlspsk.Alert
	}{
		{Alerts(), true, 0, false, "none", 0, tlspsk.AlertCloseNotify},
		{Alerts(tlspsk.AlertDecryptError), false, tlspsk.AlertDecryptError, true, "decrypt_error", tlspsk.AlertDecryptError, tlspsk.AlertUnknownPSKIdentity},
		{Alerts(tlspsk.AlertUnknownPSKIdentity, tlspsk.AlertDecryptError, tlspsk.AlertDecryptError), false, 0, false,
			"decrypt_error, unknown_psk_identity", tlspsk.AlertUnknownPSKIdentity, tlspsk.AlertIllegalParameter},
		{Alerts(255, 0), false, 0, false, "close_notify, alert(255)", 255, 254},
	}
	for _, tt := range tests {
		t.Run(tt.str, func(t *testing.T) {
			if tt.set.Empty() != tt.empty {
				t.Errorf("Empty = %v", !tt.empty)
			}
			if a, ok := tt.set.Only(); a != tt.only || ok != tt.hasOnly {
				t.Errorf("Only = %v, %v; want %v, %v", a, ok, tt.only, tt.hasOnly)
			}
			if s := tt.set.String(); s != tt.str {
				t.Errorf("String = %q", s)
			}
			if !tt.empty && !tt.set.Has(tt.has) {
				t.Errorf("lacks %v", tt.has)
			}
			if tt.set.Has(tt.not) {
				t.Errorf("has %v", tt.not)
			}
		})
	}
	if Alerts(tlspsk.AlertDecryptError, tlspsk.AlertUnknownPSKIdentity) != Alerts(tlspsk.AlertUnknownPSKIdentity, tlspsk.AlertDecryptError) {
		t.Error("sets of the same alerts differ by order")
	}
}
