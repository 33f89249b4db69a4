package harness

import (
	"slices"
	"strings"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
)

func TestPSKTargetOptions(t *testing.T) {
	const ep = "psk=127.0.0.1:8883&psk_identity=board&psk_key=00112233445566778899aabbccddeeff"
	tests := []struct {
		in      string
		wantErr string
		check   func(t *testing.T, e Endpoints, c PSKCapabilities)
	}{
		{in: "tcp://h:1", check: func(t *testing.T, e Endpoints, c PSKCapabilities) {
			if e.PSK != nil || c.Modes != nil {
				t.Errorf("no psk option gave %+v %+v", e.PSK, c)
			}
		}},
		{in: "tcp://h:1?" + ep, check: func(t *testing.T, e Endpoints, c PSKCapabilities) {
			if e.PSK == nil || e.PSK.Address != "127.0.0.1:8883" || e.PSK.Identity != "board" || len(e.PSK.Key) != 16 {
				t.Fatalf("endpoint %+v", e.PSK)
			}
			if !slices.Equal(c.Modes, FullPSK.Modes) || !slices.Equal(c.CipherSuites, FullPSK.CipherSuites) ||
				!slices.Equal(c.Groups, FullPSK.Groups) || !c.MaxFragmentLength || !c.RecordSizeLimit {
				t.Errorf("defaults %+v, want FullPSK", c)
			}
		}},
		{in: "tcp://h:1?peer=mosquitto&" + ep, check: func(t *testing.T, e Endpoints, c PSKCapabilities) {
			if slices.Contains(c.Modes, tlspsk.KeyExchangePSK) || c.RecordSizeLimit || !c.MaxFragmentLength ||
				!slices.Equal(c.CipherSuites, []tlspsk.CipherSuite{tlspsk.TLS_AES_128_GCM_SHA256}) {
				t.Errorf("mosquitto defaults %+v", c)
			}
		}},
		{in: "tcp://h:1?peer=mosquitto&psk_suites=gcm,CCM,ccm8&psk_ke=true&" + ep, check: func(t *testing.T, e Endpoints, c PSKCapabilities) {
			if !slices.Contains(c.Modes, tlspsk.KeyExchangePSK) || len(c.CipherSuites) != 3 || c.CipherSuites[1] != tlspsk.TLS_AES_128_CCM_SHA256 {
				t.Errorf("options over mosquitto defaults %+v", c)
			}
		}},
		{in: "tcp://h:1?psk_ke=false&psk_groups=p256&psk_mfl=no&psk_rsl=0&" + ep, check: func(t *testing.T, e Endpoints, c PSKCapabilities) {
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
		{in: "inproc?psk_groups=p256", check: func(t *testing.T, e Endpoints, c PSKCapabilities) {
			if !slices.Equal(c.Groups, []tlspsk.Group{tlspsk.P256}) || !slices.Contains(c.Modes, tlspsk.KeyExchangePSK) {
				t.Errorf("inproc narrowed %+v", c)
			}
		}},
		{in: "inproc?psk_rsl=false", wantErr: "always honours"},
		{in: "inproc?psk_suites=", check: func(t *testing.T, e Endpoints, c PSKCapabilities) {
			if len(c.CipherSuites) != 3 {
				t.Errorf("empty option should keep the defaults: %+v", c)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			tg, err := Parse(tt.in)
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

func TestPSKCapabilitiesMissing(t *testing.T) {
	tests := []struct {
		name string
		caps PSKCapabilities
		n    PSKNeeds
		want []string
	}{
		{"full", FullPSK, PSKNeeds{PSKKE: true, Suite: tlspsk.TLS_AES_128_CCM_8_SHA256, Group: tlspsk.P256, MaxFragmentLength: true, RecordSizeLimit: true}, nil},
		{"nothing", PSKCapabilities{}, PSKNeeds{}, nil},
		{"mosquitto psk_ke", mosquittoPSK, PSKNeeds{PSKKE: true}, []string{"mosquitto refuses psk_ke"}},
		{"suite", mosquittoPSK, PSKNeeds{Suite: tlspsk.TLS_AES_128_CCM_SHA256},
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

func TestRecordParser(t *testing.T) {
	// A handshake record of 3 bytes, an application data record of 300,
	// an alert of 2: fed whole and at every split, the counts agree.
	var stream []byte
	for _, r := range []struct {
		typ byte
		n   int
	}{{RecordHandshake, 3}, {RecordApplicationData, 300}, {RecordAlert, 2}} {
		stream = append(stream, r.typ, 3, 3, byte(r.n>>8), byte(r.n))
		stream = append(stream, make([]byte, r.n)...)
	}
	for split := 0; split <= len(stream); split++ {
		var p recordParser
		p.feed(stream[:split])
		p.feed(stream[split:])
		s := p.snapshot()
		if s.Records != 3 || s.MaxLength != 300 || s.Bytes != len(stream) ||
			s.ByType[RecordHandshake] != 1 || s.ByType[RecordApplicationData] != 1 || s.ByType[RecordAlert] != 1 {
			t.Fatalf("split at %d: %+v", split, s)
		}
	}
	var p recordParser
	for _, b := range stream {
		p.feed([]byte{b})
	}
	if s := p.snapshot(); s.Records != 3 || s.MaxLength != 300 {
		t.Errorf("byte by byte: %+v", s)
	}
}
