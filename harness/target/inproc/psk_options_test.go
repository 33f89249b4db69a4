package inproc

import (
	"slices"
	"strings"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

func TestPSKOptions(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string
		check   func(t *testing.T, e target.Endpoints, c target.PSKCapabilities)
	}{
		{in: "inproc?psk_groups=p256", check: func(t *testing.T, e target.Endpoints, c target.PSKCapabilities) {
			if !slices.Equal(c.Groups, []tlspsk.Group{tlspsk.P256}) || !slices.Contains(c.Modes, tlspsk.KeyExchangePSK) {
				t.Errorf("inproc narrowed %+v", c)
			}
		}},
		{in: "inproc?psk_rsl=false", wantErr: "always honours"},
		{in: "inproc?psk_reveal_identity=maybe", wantErr: `psk_reveal_identity="maybe" is not a boolean`},
		{in: "inproc?psk_suites=", check: func(t *testing.T, e target.Endpoints, c target.PSKCapabilities) {
			if len(c.CipherSuites) != 3 {
				t.Errorf("empty option should keep the defaults: %+v", c)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			tg, err := target.Parse(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, tg.Endpoints(), tg.Capabilities().PSK)
		})
	}
}
