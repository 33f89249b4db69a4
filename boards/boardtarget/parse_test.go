package boardtarget

import (
	"os"
	"strings"
	"testing"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/boards/pty"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in        string
		wantErr   string
		board     *boards.Profile
		exclusive bool
	}{
		{in: "twin:pico", board: &boards.Pico},
		{in: "twin:esp32c3?faults=drop=0.001", board: &boards.ESP32C3},
		{in: "emulated:esp32c3", board: &boards.ESP32C3},
		{in: "serial:///dev/ttyACM0?board=pico&baud=921600", board: &boards.Pico, exclusive: true},
		{in: "twin:rp2350", wantErr: `unknown board "rp2350"`},
		{in: "twin:pico?sessions=3", wantErr: "unknown option(s) sessions"},
		{in: "serial:///dev/ttyACM0", wantErr: "option board=<name> is required"},
		{in: "rfc2217://farm.local:4000?board=esp32c3&baud=115200", board: &boards.ESP32C3, exclusive: true},
		{in: "rfc2217://farm.local:4000", wantErr: "option board=<name> is required"},
		{in: "rfc2217:///dev/ttyACM0?board=pico", wantErr: "want rfc2217://<host:port>"},
		{in: "serial:///dev/ttyACM0?board=pico&baud=fast", wantErr: "not a non-negative integer"},
		{in: "twin://x", wantErr: "want twin:<board>"},
		{in: "serial:///dev/ttyACM0?board=pico&psk_identity=board-7&psk_key=00ff", board: &boards.Pico, exclusive: true},
		{in: "serial:///dev/ttyACM0?board=pico&psk_identity=board-7", wantErr: "option psk_identity needs psk_key"},
		{in: "serial:///dev/ttyACM0?board=pico&psk_key=zz", wantErr: "option psk_key needs non-empty hex"},
		{in: "twin:pico?psk_key=00ff", wantErr: "unknown option(s) psk_key"},
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
			x, _ := tg.(target.Exclusive)
			l := tt.board.Limits
			if c.Limits.Sessions != min(l.MaxSessions, l.MaxConnections) || c.Limits.Retained != l.MaxRetained || c.Peer != "gatomqtt" || !c.MemoryStats || x == nil || x.Exclusive() != tt.exclusive {
				t.Errorf("Parse(%q): %+v exclusive %v", tt.in, c, x != nil && x.Exclusive())
			}
		})
	}
}

// TestTwinPSKDrawn: every twin target draws a TLS-PSK key of its own, to
// pass to the twin it starts; a serial target has the one it was given.
func TestTwinPSKDrawn(t *testing.T) {
	keys := map[string]bool{}
	for _, in := range []string{"twin:pico", "twin:pico", "twin:esp32c3"} {
		tg, err := target.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		bt := tg.(*boardTarget)
		if !strings.HasPrefix(bt.pskIdentity, "gatomqtt-twin-") || len(bt.pskKey) != pskKeyBytes || keys[string(bt.pskKey)] {
			t.Errorf("%s: identity %q, key of %d bytes, seen before: %v", in, bt.pskIdentity, len(bt.pskKey), keys[string(bt.pskKey)])
		}
		keys[string(bt.pskKey)] = true
	}
	tg, err := target.Parse("serial:///dev/ttyACM0?board=pico&psk_key=00ff")
	if err != nil {
		t.Fatal(err)
	}
	if bt := tg.(*boardTarget); bt.pskIdentity != "" || string(bt.pskKey) != "\x00\xff" {
		t.Errorf("serial: identity %q, key %x", bt.pskIdentity, bt.pskKey)
	}
	for _, in := range []string{"emulated:pico", "emulated:esp32c3"} {
		tg, err = target.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if bt := tg.(*boardTarget); bt.pskKey != nil {
			t.Errorf("%s (a TinyGo image, no TLS-PSK) holds a key", in)
		}
	}
}

func TestOpenPortErrors(t *testing.T) {
	if _, err := openPort("/dev/gatomqtt-no-such-port", 115200); err == nil || !strings.Contains(err.Error(), "/dev/gatomqtt-no-such-port") {
		t.Errorf("missing port: %v", err)
	}
	p, err := pty.Open()
	if err != nil {
		t.Skip("no pty here:", err)
	}
	defer p.Close()
	first, err := openPort(p.SlavePath, 115200)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if os.Geteuid() == 0 {
		t.Skip("root opens a port held exclusively (TIOCEXCL) all the same")
	}
	if _, err := openPort(p.SlavePath, 115200); err == nil || !strings.Contains(err.Error(), "is in use") {
		t.Errorf("second open of %s: %v", p.SlavePath, err)
	}
}
