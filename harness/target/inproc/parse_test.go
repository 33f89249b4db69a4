package inproc

import (
	"strings"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/fixtures"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

func TestParseInproc(t *testing.T) {
	tests := []struct {
		in, name      string
		sessions, qos int
		burst         int
		anonymous     bool
		wantErr       string
	}{
		{in: "inproc", name: "inproc", sessions: 256, qos: 2, burst: target.Unlimited},
		{in: "", name: "inproc", sessions: 256, qos: 2, burst: target.Unlimited},
		{in: "inproc:", name: "inproc", sessions: 256, qos: 2, burst: target.Unlimited},
		{in: "inproc:pico", name: "inproc:pico", sessions: broker.PicoLimits.MaxSessions, qos: 2, burst: 20},
		{in: "inproc:esp32c3?anonymous=true", name: "inproc:esp32c3?anonymous=true", sessions: broker.ESP32C3Limits.MaxSessions, qos: 2, burst: 40, anonymous: true},
		{in: "inproc:rp2350", wantErr: `unknown profile "rp2350"`},
		{in: "inproc:pico?sessions=3", wantErr: "unknown option(s) sessions"},
		{in: "inproc://x", wantErr: "want inproc or inproc:<profile>"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			tg, err := target.Parse(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c := tg.Capabilities()
			if tg.Name() != tt.name || c.Limits.Sessions != tt.sessions || int(c.MaxQoS) != tt.qos ||
				c.Limits.Burst != tt.burst || c.Anonymous != tt.anonymous || (c.Credentials == nil) != tt.anonymous ||
				c.DeniedTopic != fixtures.DeniedTopic {
				t.Errorf("Parse(%q) = %s %+v", tt.in, tg.Name(), c)
			}
		})
	}
}
