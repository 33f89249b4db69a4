package boardtarget

import (
	"errors"
	"strings"
	"testing"

	"github.com/gatomqtt/gatomqtt/boards/discover"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

// withPorts makes the target see ports, or err, as the USB serial ports.
func withPorts(t *testing.T, ports []discover.Port, err error) {
	t.Helper()
	saved := listPorts
	listPorts = func() ([]discover.Port, error) { return ports, err }
	t.Cleanup(func() { listPorts = saved })
}

// desk is a desk with two Picos, an ESP32-C3 on its own USB port and a
// USB-UART bridge.
var desk = []discover.Port{
	{Path: "/dev/ttyACM0", VID: 0x2E8A, PID: 0x000A, Serial: "E66038B7", USBPath: "1-1.2", Kind: discover.PicoFirmware},
	{Path: "/dev/ttyACM1", VID: 0x2E8A, PID: 0x000A, Serial: "E66038B8", USBPath: "1-1.3", Kind: discover.PicoFirmware},
	{Path: "/dev/ttyACM2", VID: 0x303A, PID: 0x1001, Serial: "34:85:18:01:02:03", USBPath: "1-2", Kind: discover.ESP32C3USBJTAG},
	{Path: "/dev/ttyUSB0", VID: 0x10C4, PID: 0xEA60, Serial: "0001", USBPath: "1-4", Kind: discover.USBUARTBridge},
}

func TestAuto(t *testing.T) {
	tests := []struct {
		in      string
		ports   []discover.Port
		name    string   // the resolved target's name
		wantErr []string // substrings of the error
	}{
		{in: "serial://auto?board=pico&usbpath=1-1.3", ports: desk, name: "serial:///dev/ttyACM1?board=pico"},
		{in: "serial://auto?board=pico&serial=e66038b7&baud=921600", ports: desk, name: "serial:///dev/ttyACM0?baud=921600&board=pico"},
		{in: "serial://auto?board=esp32c3&vidpid=303a:1001", ports: desk, name: "serial:///dev/ttyACM2?board=esp32c3"},
		{in: "serial://auto?board=esp32c3", ports: desk[:3], name: "serial:///dev/ttyACM2?board=esp32c3"},
		{in: "serial://auto?board=esp32c3", ports: desk[2:], wantErr: []string{"2 boards match board=esp32c3",
			"/dev/ttyACM2 303a:1001", "usbpath=1-2", "/dev/ttyUSB0 10c4:ea60", "usbpath=1-4", "unconfirmed"}},
		{in: "serial://auto?board=auto", ports: desk[1:], wantErr: []string{"2 boards match board=auto", "/dev/ttyACM1", "/dev/ttyACM2"}},
		{in: "serial://auto?board=auto", ports: desk[2:], name: "serial:///dev/ttyACM2?board=esp32c3"},
		{in: "serial://auto?board=auto&usbpath=1-1.2", ports: desk, name: "serial:///dev/ttyACM0?board=pico"},
		{in: "serial://auto?board=pico", ports: desk[2:], wantErr: []string{"no board for board=pico among 2",
			"/dev/ttyACM2 303a:1001: not a pico", "/dev/ttyUSB0 10c4:ea60: not a pico"}},
		{in: "serial://auto?board=auto", ports: nil, wantErr: []string{"no USB serial ports found"}},
		{in: "serial://auto", ports: desk, wantErr: []string{"serial://auto needs board=<name> or board=auto"}},
		{in: "serial://auto?board=uno", ports: desk, wantErr: []string{"board=uno: want auto, pico or esp32c3"}},
		{in: "serial://auto?board=pico&usbpath=ttyACM0", ports: desk, wantErr: []string{"usbpath=ttyACM0: want bus-port"}},
		{in: "serial:///dev/ttyACM2?board=auto", ports: desk, name: "serial:///dev/ttyACM2?board=esp32c3"},
		{in: "serial:///dev/ttyACM1?board=auto&baud=921600", ports: desk, name: "serial:///dev/ttyACM1?baud=921600&board=pico"},
		{in: "serial:///dev/ttyUSB0?board=auto", ports: desk, wantErr: []string{"cannot tell the board on /dev/ttyUSB0", "10c4:ea60", "give board=esp32c3"}},
		{in: "serial:///dev/ttyS0?board=auto", ports: desk, wantErr: []string{"/dev/ttyS0 is not among the USB serial ports", "/dev/ttyACM2 303a:1001"}},
		{in: "serial:///dev/ttyS0?board=auto", ports: nil, wantErr: []string{"none was found"}},
		{in: "serial:///dev/ttyACM0?board=pico&usbpath=1-1.2", ports: desk, wantErr: []string{"option usbpath= selects among ports with serial://auto"}},
		{in: "serial:///dev/ttyACM0?board=auto&serial=x", ports: desk, wantErr: []string{"option serial= selects among ports"}},
		{in: "rfc2217://farm.local:4000?board=auto", ports: desk, wantErr: []string{"board=auto reads a local port's USB identity"}},
		{in: "serial://elsewhere/dev/ttyACM0?board=pico", ports: desk, wantErr: []string{"want serial:///dev/<port>"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			withPorts(t, tt.ports, nil)
			tg, err := target.Parse(tt.in)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("Parse(%q) = %s, want an error", tt.in, tg.Name())
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("Parse(%q) error:\n%v\nwant it to contain %q", tt.in, err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if tg.Name() != tt.name {
				t.Errorf("Parse(%q) = %s, want %s", tt.in, tg.Name(), tt.name)
			}
			bt := tg.(*boardTarget)
			if want := tt.name[strings.Index(tt.name, "board=")+len("board="):]; bt.profile.Name != want {
				t.Errorf("Parse(%q): board %s, want %s", tt.in, bt.profile.Name, want)
			}
		})
	}
}

// TestAutoNotListedWithoutAuto: a target that names both its port and its
// board does not enumerate ports, so it parses on a machine without the
// board, or without USB at all.
func TestAutoNotListedWithoutAuto(t *testing.T) {
	withPorts(t, nil, errors.New("enumerating must not happen"))
	if _, err := target.Parse("serial:///dev/ttyACM0?board=pico"); err != nil {
		t.Fatal(err)
	}
	if _, err := target.Parse("serial://auto?board=pico"); err == nil || !strings.Contains(err.Error(), "enumerating must not happen") {
		t.Errorf("serial://auto with the enumeration failing: %v", err)
	}
}
