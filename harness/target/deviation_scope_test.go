package target

import (
	"strings"
	"testing"
)

func TestScopedDeviation(t *testing.T) {
	tg := Static{TargetName: "fake", Caps: Capabilities{Peer: "mosquitto", Deviations: Deviations{
		"MQTT-3.1.2-8@second-connect": "drops the will",
		"MQTT-3.1.2-24":               "late",
	}}}
	tests := []struct {
		labels []string
		want   string // substring of the message, "" for none
	}{
		{[]string{"MQTT-3.1.2-8"}, ""},
		{[]string{"MQTT-3.1.2-8", "takeover"}, ""},
		{[]string{"second-connect"}, ""},
		{[]string{"MQTT-3.1.0-2", "second-connect"}, ""},
		{[]string{"MQTT-3.1.2-8", "MQTT-3.1.0-2", "second-connect"}, "MQTT-3.1.2-8@second-connect: drops the will"},
		{[]string{"MQTT-3.1.2-24", "keepalive"}, "MQTT-3.1.2-24: late"},
	}
	for _, tt := range tests {
		got := DeviationReason(tg, tt.labels)
		if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("DeviationReason(%q) = %q, want %q", tt.labels, got, tt.want)
		}
	}
}
