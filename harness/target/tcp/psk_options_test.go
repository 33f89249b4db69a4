package tcp

import (
	"slices"
	"strings"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

func TestPSKTargetOptions(t *testing.T) {
	const ep = "psk=127.0.0.1:8883&psk_identity=board&psk_key=00112233445566778899aabbccddeeff"
	tests := []struct {
		in      string
		wantErr string
		check   func(t *testing.T, e target.Endpoints, c target.PSKCapabilities)
	}{
		{in: "tcp://h:1", check: func(t *testing.T, e target.Endpoints, c target.PSKCapabilities) {
			if e.PSK != nil || c.Modes != nil {
				t.Errorf("no psk option gave %+v %+v", e.PSK, c)
			}
		}},
		{in: "tcp://h:1?" + ep, check: func(t *testing.T, e target.Endpoints, c target.PSKCapabilities) {
			if e.PSK == nil || e.PSK.Address != "127.0.0.1:8883" || e.PSK.Identity != "board" || len(e.PSK.Key) != 16 {
				t.Fatalf("endpoint %+v", e.PSK)
			}
			if !slices.Equal(c.Modes, target.FullPSK.Modes) || !slices.Equal(c.CipherSuites, target.FullPSK.CipherSuites) ||
				!slices.Equal(c.Groups, target.FullPSK.Groups) || !c.MaxFragmentLength || !c.RecordSizeLimit {
				t.Errorf("defaults %+v, want target.FullPSK", c)
			}
		}},
		{in: "tcp://h:1?peer=mosquitto&" + ep, check: func(t *testing.T, e target.Endpoints, c target.PSKCapabilities) {
			if slices.Contains(c.Modes, tlspsk.KeyExchangePSK) || c.RecordSizeLimit || !c.MaxFragmentLength ||
				!slices.Equal(c.CipherSuites, []tlspsk.CipherSuite{tlspsk.TLS_AES_128_GCM_SHA256}) {
				t.Errorf("mosquitto defaults %+v", c)
			}
		}},
		{in: "tcp://h:1?peer=mosquitto&psk_suites=gcm,CCM,ccm8&psk_ke=true&" + ep, check: func(t *testing.T, e target.Endpoints, c target.PSKCapabilities) {
			if !slices.Contains(c.Modes, tlspsk.KeyExchangePSK) || len(c.CipherSuites) != 3 || c.CipherSuites[1] != tlspsk.TLS_AES_128_CCM_SHA256 {
				t.Errorf("options over mosquitto defaults %+v", c)
			}
		}},
		{in: "tcp://h:1?psk_ke=false&psk_groups=p256&psk_mfl=no&psk_rsl=0&" + ep, check: func(t *testing.T, e target.Endpoints, c target.PSKCapabilities) {
			if slices.Contains(c.Modes, tlspsk.KeyExchangePSK) || !slices.Equal(c.Groups, []tlspsk.Group{tlspsk.P256}) ||
				c.MaxFragmentLength || c.RecordSizeLimit {
				t.Errorf("narrowed %+v", c)
			}
		}},
		{in: "tcp://h:1?psk_suites=gcm", wantErr: "need psk=host:port"},
		{in: "tcp://h:1?psk=h:2&psk_key=00", wantErr: "needs psk_identity"},
		{in: "tcp://h:1?psk_suites=aes256&" + ep, wantErr: `psk_suites: unknown "aes256" (known: ccm, ccm8, gcm)`},
		{in: "tcp://h:1?psk_groups=x448&" + ep, wantErr: `psk_groups: unknown "x448"`},
		{in: "tcp://h:1?psk_ke=maybe&" + ep, wantErr: "not a boolean"},
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
			if strings.Contains(tg.Name(), "aabbcc") {
				t.Errorf("Name %q shows the key", tg.Name())
			}
			tt.check(t, tg.Endpoints(), tg.Capabilities().PSK)
		})
	}
}
