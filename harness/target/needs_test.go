package target

import (
	"strings"
	"testing"
	"time"
)

func TestMissing(t *testing.T) {
	pico := Capabilities{
		Limits: Limits{Sessions: 4, Subscriptions: 8, Inflight: 4, Queued: 8, Retained: 16, PacketSize: 1024},
		MaxQoS: 1, Wills: true, Retain: true, Anonymous: true,
	}
	full := Capabilities{Limits: UnlimitedLimits, MaxQoS: 2, PersistentSessions: true, Retain: true, Wills: true,
		Credentials: &User{"u", "p"}, RejectsBadPassword: true, MemoryStats: true}
	tests := []struct {
		name string
		caps Capabilities
		ep   Endpoints
		n    Needs
		want []string // substrings, one per expected reason; nil means none
	}{
		{"nothing needed", pico, Endpoints{}, Needs{}, nil},
		{"within limits", pico, Endpoints{}, Needs{Sessions: 4, Retained: 16, QoS: 1, Wills: true}, nil},
		{"too many sessions", pico, Endpoints{}, Needs{Sessions: 5}, []string{"needs 5 sessions, target allows 4"}},
		{"qos 2", pico, Endpoints{}, Needs{QoS: 2}, []string{"needs QoS 2, target supports up to QoS 1"}},
		{"several", pico, Endpoints{}, Needs{PersistentSessions: true, Retained: 100, PacketSize: 2000},
			[]string{"100 retained messages", "2000 bytes per packet", "persistent sessions"}},
		{"auth without credentials", pico, Endpoints{}, Needs{Auth: true},
			[]string{"known credentials", "refuses wrong passwords"}},
		{"auth", full, Endpoints{}, Needs{Auth: true, NoAnonymous: true, MemoryStats: true, QoS: 2, Sessions: 1000}, nil},
		{"anonymous", full, Endpoints{}, Needs{Anonymous: true}, []string{"accepts anonymous"}},
		{"no anonymous", pico, Endpoints{}, Needs{NoAnonymous: true}, []string{"refuses anonymous"}},
		{"psk", full, Endpoints{}, Needs{PSK: true}, []string{"TLS-PSK endpoint"}},
		{"psk there", full, Endpoints{PSK: &PSKEndpoint{Address: "x"}}, Needs{PSK: true}, nil},
		{"denied topic", full, Endpoints{}, Needs{DeniedTopic: true}, []string{"may not publish to (tcp targets: ?denied=prefix)"}},
		{"denied topic there", Capabilities{DeniedTopic: "d"}, Endpoints{}, Needs{DeniedTopic: true}, nil},
		{"undeclared limit is no limit", Capabilities{MaxQoS: 2}, Endpoints{}, Needs{Sessions: 50}, nil},
		{"connect timeout undeclared", full, Endpoints{}, Needs{ConnectTimeout: time.Second},
			[]string{"needs a declared connect timeout"}},
		{"connect timeout too long", Capabilities{ConnectTimeout: 10 * time.Second}, Endpoints{},
			Needs{ConnectTimeout: 3 * time.Second}, []string{"at most 3s, target waits 10s"}},
		{"connect timeout", Capabilities{ConnectTimeout: 2 * time.Second}, Endpoints{}, Needs{ConnectTimeout: 3 * time.Second}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.caps.Missing(tt.n, tt.ep)
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

func TestSkipAndDeviationMessages(t *testing.T) {
	tg := Static{TargetName: "fake", Caps: Capabilities{
		MaxQoS:     1,
		Limits:     Limits{Sessions: 2},
		Peer:       "mosquitto",
		Deviations: Deviations{"MQTT-3.3.1-9": "sends retained copies with RETAIN set", "MQTT-4.4.0-1": "x"},
	}}
	if got := SkipReason(tg, Needs{QoS: 1, Sessions: 2}); got != "" {
		t.Errorf("skipReason within capabilities = %q, want none", got)
	}
	want := "target fake: needs 3 sessions, target allows 2; needs QoS 2, target supports up to QoS 1"
	if got := SkipReason(tg, Needs{QoS: 2, Sessions: 3}); got != want {
		t.Errorf("skipReason = %q\nwant %q", got, want)
	}
	if got := DeviationReason(tg, []string{"MQTT-3.1.0-1"}); got != "" {
		t.Errorf("deviationReason for an undeclared statement = %q", got)
	}
	want = "known deviation of mosquitto (fake): MQTT-3.3.1-9: sends retained copies with RETAIN set"
	if got := DeviationReason(tg, []string{"MQTT-3.1.0-1", "MQTT-3.3.1-9"}); got != want {
		t.Errorf("deviationReason = %q\nwant %q", got, want)
	}
	if !strings.HasPrefix(DeviationReason(tg, []string{"MQTT-4.4.0-1"}), DeviationPrefix) {
		t.Error("deviation message does not start with DeviationPrefix")
	}
}
