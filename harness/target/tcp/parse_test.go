package tcp

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/target"
)

func TestParseTCP(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string
		check   func(t *testing.T, tg target.Target)
	}{
		{in: "tcp://127.0.0.1:1883", check: func(t *testing.T, tg target.Target) {
			c := tg.Capabilities()
			if tg.Endpoints().MQTT != "127.0.0.1:1883" || c.MaxQoS != 2 || !c.PersistentSessions ||
				!c.Anonymous || c.Credentials != nil || c.RejectsBadPassword || c.Limits != target.UnlimitedLimits {
				t.Errorf("defaults: %+v %+v", tg.Endpoints(), c)
			}
		}},
		{in: "tcp://localhost:1884?username=u&password=p&peer=mosquitto", check: func(t *testing.T, tg target.Target) {
			c := tg.Capabilities()
			if c.Credentials == nil || *c.Credentials != (target.User{Name: "u", Password: "p"}) || !c.RejectsBadPassword || c.Anonymous || c.Peer != "mosquitto" {
				t.Errorf("credentials: %+v", c)
			}
			if strings.Contains(tg.Name(), "=p") || !strings.Contains(tg.Name(), "password=xxx") {
				t.Errorf("Name %q shows the password", tg.Name())
			}
		}},
		{in: "tcp://u:secret@h:1?anonymous=true&checkpassword=false", check: func(t *testing.T, tg target.Target) {
			c := tg.Capabilities()
			if c.Credentials == nil || c.Credentials.Password != "secret" || !c.Anonymous || c.RejectsBadPassword {
				t.Errorf("userinfo: %+v", c)
			}
			if strings.Contains(tg.Name(), "secret") {
				t.Errorf("Name %q shows the password", tg.Name())
			}
		}},
		{in: "tcp://h:1?qos=1&sessions=4&retained=unlimited&persistent=no&psk=h:8883&psk_identity=id&psk_key=0a0b", check: func(t *testing.T, tg target.Target) {
			c, e := tg.Capabilities(), tg.Endpoints()
			if c.MaxQoS != 1 || c.Limits.Sessions != 4 || c.Limits.Retained != target.Unlimited || c.PersistentSessions {
				t.Errorf("limits: %+v", c)
			}
			if e.PSK == nil || e.PSK.Address != "h:8883" || e.PSK.Identity != "id" || string(e.PSK.Key) != "\x0a\x0b" {
				t.Errorf("psk: %+v", e.PSK)
			}
		}},
		{in: "tcp://h:1?connecttimeout=3s", check: func(t *testing.T, tg target.Target) {
			if c := tg.Capabilities(); c.ConnectTimeout != 3*time.Second {
				t.Errorf("connect timeout = %s", c.ConnectTimeout)
			}
		}},
		{in: "tcp://h:1?connecttimeout=3", wantErr: "not a duration"},
		{in: "tcp://h:1?denied=gatodenied/x", check: func(t *testing.T, tg target.Target) {
			if c := tg.Capabilities(); c.DeniedTopic != "gatodenied/x" {
				t.Errorf("denied topic = %q", c.DeniedTopic)
			}
		}},
		{in: "tcp://h:1", check: func(t *testing.T, tg target.Target) {
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
			tg, err := target.Parse(tt.in)
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
	if _, err := target.Parse("nosuch:x"); !errors.Is(err, target.ErrUnknownTarget) {
		t.Errorf("unknown scheme error %v is not ErrUnknownTarget", err)
	}
}

func TestParseWebSocket(t *testing.T) {
	tg, err := target.Parse("tcp://127.0.0.1:9001?ws=/mqtt")
	if err != nil {
		t.Fatal(err)
	}
	if got := tg.Endpoints().MQTTURL(); got != "ws://127.0.0.1:9001/mqtt" {
		t.Errorf("MQTTURL = %q, want ws://127.0.0.1:9001/mqtt", got)
	}
	if _, err := target.Parse("tcp://127.0.0.1:9001?ws=mqtt"); err == nil {
		t.Error("ws=mqtt (no leading slash) accepted")
	}
	tg, err = target.Parse("tcp://127.0.0.1:1883")
	if err != nil {
		t.Fatal(err)
	}
	if got := tg.Endpoints().MQTTURL(); got != "tcp://127.0.0.1:1883" {
		t.Errorf("MQTTURL = %q, want tcp://127.0.0.1:1883", got)
	}
}
