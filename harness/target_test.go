package harness

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
)

func TestParseTCP(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string
		check   func(t *testing.T, tg Target)
	}{
		{in: "tcp://127.0.0.1:1883", check: func(t *testing.T, tg Target) {
			c := tg.Capabilities()
			if tg.Endpoints().MQTT != "127.0.0.1:1883" || c.MaxQoS != 2 || !c.PersistentSessions ||
				!c.Anonymous || c.Credentials != nil || c.RejectsBadPassword || c.Limits != UnlimitedLimits {
				t.Errorf("defaults: %+v %+v", tg.Endpoints(), c)
			}
		}},
		{in: "tcp://localhost:1884?username=u&password=p&peer=mosquitto", check: func(t *testing.T, tg Target) {
			c := tg.Capabilities()
			if c.Credentials == nil || *c.Credentials != (User{"u", "p"}) || !c.RejectsBadPassword || c.Anonymous || c.Peer != "mosquitto" {
				t.Errorf("credentials: %+v", c)
			}
			if strings.Contains(tg.Name(), "=p") || !strings.Contains(tg.Name(), "password=xxx") {
				t.Errorf("Name %q shows the password", tg.Name())
			}
		}},
		{in: "tcp://u:secret@h:1?anonymous=true&checkpassword=false", check: func(t *testing.T, tg Target) {
			c := tg.Capabilities()
			if c.Credentials == nil || c.Credentials.Password != "secret" || !c.Anonymous || c.RejectsBadPassword {
				t.Errorf("userinfo: %+v", c)
			}
			if strings.Contains(tg.Name(), "secret") {
				t.Errorf("Name %q shows the password", tg.Name())
			}
		}},
		{in: "tcp://h:1?qos=1&sessions=4&retained=unlimited&persistent=no&psk=h:8883&psk_identity=id&psk_key=0a0b", check: func(t *testing.T, tg Target) {
			c, e := tg.Capabilities(), tg.Endpoints()
			if c.MaxQoS != 1 || c.Limits.Sessions != 4 || c.Limits.Retained != Unlimited || c.PersistentSessions {
				t.Errorf("limits: %+v", c)
			}
			if e.PSK == nil || e.PSK.Address != "h:8883" || e.PSK.Identity != "id" || string(e.PSK.Key) != "\x0a\x0b" {
				t.Errorf("psk: %+v", e.PSK)
			}
		}},
		{in: "tcp://h:1?connecttimeout=3s", check: func(t *testing.T, tg Target) {
			if c := tg.Capabilities(); c.ConnectTimeout != 3*time.Second {
				t.Errorf("connect timeout = %s", c.ConnectTimeout)
			}
		}},
		{in: "tcp://h:1?connecttimeout=3", wantErr: "not a duration"},
		{in: "tcp://h:1?denied=gatodenied/x", check: func(t *testing.T, tg Target) {
			if c := tg.Capabilities(); c.DeniedTopic != "gatodenied/x" {
				t.Errorf("denied topic = %q", c.DeniedTopic)
			}
		}},
		{in: "tcp://h:1", check: func(t *testing.T, tg Target) {
			if c := tg.Capabilities(); c.DeniedTopic != "" {
				t.Errorf("denied topic = %q, want none by default", c.DeniedTopic)
			}
		}},
		{in: "tcp://h:1?denied=gatodenied/%23", wantErr: "want a topic prefix"},
		{in: "tcp://h:1?denied=gatodenied/", wantErr: "want a topic prefix"},
		{in: "tcp://h", wantErr: "needs a host and a port"},
		{in: "tcp:h:1", wantErr: "want tcp://host:port"},
		{in: "tcp://h:1/x", wantErr: "unexpected path"},
		{in: "tcp://h:1?qos=3", wantErr: "qos=3"},
		{in: "tcp://h:1?sessions=-1", wantErr: "not a non-negative integer"},
		{in: "tcp://h:1?persistent=maybe", wantErr: "not a boolean"},
		{in: "tcp://h:1?usernme=u", wantErr: "unknown option(s) usernme"},
		{in: "tcp://h:1?password=p", wantErr: "password without username"},
		{in: "tcp://h:1?checkpassword=true", wantErr: "checkpassword needs username"},
		{in: "tcp://h:1?peer=mosquito", wantErr: `peer="mosquito"`},
		{in: "tcp://h:1?psk_key=00", wantErr: "need psk=host:port"},
		{in: "tcp://h:1?psk=h:2&psk_key=zz", wantErr: "psk_key as non-empty hex"},
		{in: "nosuch://x", wantErr: `scheme "nosuch" is not one of`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			tg, err := Parse(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			tt.check(t, tg)
		})
	}
	if _, err := Parse("nosuch:x"); !errors.Is(err, ErrUnknownTarget) {
		t.Errorf("unknown scheme error %v is not ErrUnknownTarget", err)
	}
}

// fakeTarget is a Target with fixed answers, for decisions that only read
// capabilities.
type fakeTarget struct {
	caps Capabilities
	ep   Endpoints
}

func (f fakeTarget) Name() string                { return "fake" }
func (f fakeTarget) Start(context.Context) error { return nil }
func (f fakeTarget) Endpoints() Endpoints        { return f.ep }
func (f fakeTarget) Capabilities() Capabilities  { return f.caps }
func (f fakeTarget) Stats() (Stats, bool)        { return Stats{}, false }
func (f fakeTarget) Stop() error                 { return nil }

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
	tg := fakeTarget{caps: Capabilities{
		MaxQoS:     1,
		Limits:     Limits{Sessions: 2},
		Peer:       "mosquitto",
		Deviations: Deviations{"MQTT-3.3.1-9": "sends retained copies with RETAIN set", "MQTT-4.4.0-1": "x"},
	}}
	if got := skipReason(tg, Needs{QoS: 1, Sessions: 2}); got != "" {
		t.Errorf("skipReason within capabilities = %q, want none", got)
	}
	want := "target fake: needs 3 sessions, target allows 2; needs QoS 2, target supports up to QoS 1"
	if got := skipReason(tg, Needs{QoS: 2, Sessions: 3}); got != want {
		t.Errorf("skipReason = %q\nwant %q", got, want)
	}
	if got := deviationReason(tg, []string{"MQTT-3.1.0-1"}); got != "" {
		t.Errorf("deviationReason for an undeclared statement = %q", got)
	}
	want = "known deviation of mosquitto (fake): MQTT-3.3.1-9: sends retained copies with RETAIN set"
	if got := deviationReason(tg, []string{"MQTT-3.1.0-1", "MQTT-3.3.1-9"}); got != want {
		t.Errorf("deviationReason = %q\nwant %q", got, want)
	}
	if !strings.HasPrefix(deviationReason(tg, []string{"MQTT-4.4.0-1"}), DeviationPrefix) {
		t.Error("deviation message does not start with DeviationPrefix")
	}
}

func TestNames(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := ClientID("hint-with/odd chars and a long tail")
		if len(id) > 23 || !isAlnum(id) {
			t.Fatalf("ClientID %q is not 1-23 letters and digits", id)
		}
		tp := Topic("x")
		if seen[id] || seen[tp] {
			t.Fatalf("duplicate name %q or %q", id, tp)
		}
		seen[id], seen[tp] = true, true
		if !strings.HasPrefix(tp, "gato/"+RunID+"/") || !strings.HasSuffix(tp, "/x") {
			t.Fatalf("Topic = %q", tp)
		}
	}
	if !strings.HasSuffix(ClientID("ab"), "ab") {
		t.Error("short hint not kept")
	}
}

func TestParseInproc(t *testing.T) {
	tests := []struct {
		in, name      string
		sessions, qos int
		burst         int
		anonymous     bool
		wantErr       string
	}{
		{in: "inproc", name: "inproc", sessions: 256, qos: 2, burst: Unlimited},
		{in: "", name: "inproc", sessions: 256, qos: 2, burst: Unlimited},
		{in: "inproc:", name: "inproc", sessions: 256, qos: 2, burst: Unlimited},
		{in: "inproc:pico", name: "inproc:pico", sessions: broker.PicoLimits.MaxSessions, qos: 2, burst: 20},
		{in: "inproc:esp32c3?anonymous=true", name: "inproc:esp32c3?anonymous=true", sessions: broker.ESP32C3Limits.MaxSessions, qos: 2, burst: 40, anonymous: true},
		{in: "inproc:rp2350", wantErr: `unknown profile "rp2350"`},
		{in: "inproc:pico?sessions=3", wantErr: "unknown option(s) sessions"},
		{in: "inproc://x", wantErr: "want inproc or inproc:<profile>"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			tg, err := Parse(tt.in)
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
				c.DeniedTopic != InprocDeniedTopic {
				t.Errorf("Parse(%q) = %s %+v", tt.in, tg.Name(), c)
			}
		})
	}
}
