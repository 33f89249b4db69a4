package discover

import (
	"errors"
	"strings"
	"testing"
)

var (
	pico1 = Port{Path: "/dev/ttyACM0", VID: 0x2E8A, PID: 0x000A, USBPath: "1-1.2", Kind: PicoFirmware}
	pico2 = Port{Path: "/dev/ttyACM1", VID: 0x2E8A, PID: 0x000A, USBPath: "1-1.3", Kind: PicoFirmware}
	picoB = Port{Path: "/dev/ttyACM2", VID: 0x2E8A, PID: 0x0003, Serial: "E0C9125B0D9B", USBPath: "1-1.4", Kind: PicoBootloader}
	esp   = Port{Path: "/dev/ttyACM3", VID: 0x303A, PID: 0x1001, Serial: "34:85:18:01:02:03", USBPath: "1-2", Kind: ESP32C3USBJTAG}
	cp210 = Port{Path: "/dev/ttyUSB0", VID: 0x10C4, PID: 0xEA60, Serial: "0001", USBPath: "1-3", Kind: USBUARTBridge}
	other = Port{Path: "/dev/ttyACM9", VID: 0x1234, PID: 0x5678, USBPath: "2-1", Kind: Unknown}
)

func TestSelect(t *testing.T) {
	tests := []struct {
		name  string
		ports []Port
		q     Query
		want  Port
		// for errors: ambiguous or none, and substrings of the message
		ambiguous, none bool
		msg             []string
	}{
		{name: "auto single", ports: []Port{pico1, other}, q: Query{Board: "auto"}, want: pico1},
		{name: "auto skips bridges", ports: []Port{esp, cp210}, q: Query{Board: "auto"}, want: esp},
		{name: "esp32c3 takes a bridge alone", ports: []Port{pico1, cp210}, q: Query{Board: "esp32c3"}, want: cp210},
		{name: "pico among others", ports: []Port{pico1, esp, cp210, other}, q: Query{Board: "pico"}, want: pico1},
		{name: "bootloader counts as pico", ports: []Port{picoB, esp}, q: Query{Board: "pico"}, want: picoB},
		{name: "by usbpath", ports: []Port{pico1, pico2}, q: Query{Board: "pico", USBPath: "1-1.3"}, want: pico2},
		{name: "by serial, any case", ports: []Port{esp, pico1}, q: Query{Serial: "34:85:18:01:02:03"}, want: esp},
		{name: "by serial upper", ports: []Port{esp, pico1}, q: Query{Board: "auto", Serial: "34:85:18:01:02:03"}, want: esp},
		{name: "by vidpid", ports: []Port{esp, pico1, other}, q: Query{VIDPID: "1234:5678"}, want: other},
		{name: "by vidpid upper", ports: []Port{esp, pico1}, q: Query{VIDPID: "2E8A:000A"}, want: pico1},
		{
			name: "none: empty", ports: nil, q: Query{Board: "auto"}, none: true,
			msg: []string{"no USB serial ports found"},
		},
		{
			name: "none: says why", ports: []Port{esp, other}, q: Query{Board: "pico"}, none: true,
			msg: []string{"no board for board=pico", "/dev/ttyACM3 303a:1001: not a pico (esp32c3", "/dev/ttyACM9 1234:5678: not a pico (unknown)"},
		},
		{
			name: "none: wrong usbpath", ports: []Port{pico1}, q: Query{Board: "pico", USBPath: "1-4"}, none: true,
			msg: []string{"usbpath 1-1.2 is not 1-4"},
		},
		{
			name: "none: no serial", ports: []Port{pico1}, q: Query{Serial: "abc"}, none: true,
			msg: []string{"serial (none) is not abc"},
		},
		{
			name: "ambiguous picos", ports: []Port{pico1, pico2, esp}, q: Query{Board: "pico"}, ambiguous: true,
			msg: []string{"2 boards match board=pico", "serial=… or usbpath=…", "/dev/ttyACM0 2e8a:000a pico: usbpath=1-1.2", "/dev/ttyACM1 2e8a:000a pico: usbpath=1-1.3"},
		},
		{
			name: "ambiguous auto flags bootloader", ports: []Port{pico1, picoB, esp, cp210}, q: Query{Board: "auto"}, ambiguous: true,
			msg: []string{"3 boards match board=auto", "/dev/ttyACM2 2e8a:0003 pico (bootloader): usbpath=1-1.4 [in bootloader", "/dev/ttyACM3 303a:1001 esp32c3 (USB-Serial/JTAG): usbpath=1-2"},
		},
		{
			name: "ambiguous esp32c3 marks bridge", ports: []Port{esp, cp210}, q: Query{Board: "esp32c3"}, ambiguous: true,
			msg: []string{"/dev/ttyUSB0 10c4:ea60 USB-UART bridge (unconfirmed): usbpath=1-3 [unconfirmed"},
		},
		{
			name: "ambiguous without usb paths suggests serial", ambiguous: true,
			ports: []Port{{Path: "/dev/cu.a", VID: 0x303A, PID: 0x1001, Serial: "aa", Kind: ESP32C3USBJTAG}, {Path: "/dev/cu.b", VID: 0x303A, PID: 0x1001, Serial: "bb", Kind: ESP32C3USBJTAG}},
			q:     Query{Board: "esp32c3"},
			msg:   []string{"/dev/cu.a 303a:1001 esp32c3 (USB-Serial/JTAG): serial=aa", "/dev/cu.b 303a:1001 esp32c3 (USB-Serial/JTAG): serial=bb"},
		},
		{
			name: "ambiguous indistinguishable", ambiguous: true,
			ports: []Port{{Path: "/dev/cu.a", VID: 0x2E8A, PID: 0xA, Kind: PicoFirmware}, {Path: "/dev/cu.b", VID: 0x2E8A, PID: 0xA, Kind: PicoFirmware}},
			q:     Query{Board: "pico"},
			msg:   []string{"no unique serial or usbpath"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Select(tc.ports, tc.q)
			if !tc.ambiguous && !tc.none {
				if err != nil {
					t.Fatalf("Select: %v", err)
				}
				if got != tc.want {
					t.Fatalf("Select = %+v, want %+v", got, tc.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Select = %+v, want an error", got)
			}
			var amb *AmbiguousError
			var none *NoMatchError
			if tc.ambiguous && !errors.As(err, &amb) {
				t.Fatalf("err %T %v, want *AmbiguousError", err, err)
			}
			if tc.none && !errors.As(err, &none) {
				t.Fatalf("err %T %v, want *NoMatchError", err, err)
			}
			for _, m := range tc.msg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error lacks %q:\n%v", m, err)
				}
			}
		})
	}
}

func TestSelectAmbiguousCandidates(t *testing.T) {
	_, err := Select([]Port{pico1, esp, pico2}, Query{Board: "pico"})
	var amb *AmbiguousError
	if !errors.As(err, &amb) {
		t.Fatalf("err = %v, want *AmbiguousError", err)
	}
	if len(amb.Candidates) != 2 || amb.Candidates[0] != pico1 || amb.Candidates[1] != pico2 {
		t.Fatalf("candidates = %+v", amb.Candidates)
	}
	// Each suggested selector picks exactly its candidate.
	for _, c := range amb.Candidates {
		got, err := Select([]Port{pico1, esp, pico2}, Query{Board: "pico", USBPath: c.USBPath})
		if err != nil || got != c {
			t.Fatalf("usbpath=%s: %+v, %v", c.USBPath, got, err)
		}
	}
}

func TestSelectBadQuery(t *testing.T) {
	if _, err := Select([]Port{pico1}, Query{Board: "uno"}); err == nil || !strings.Contains(err.Error(), "want auto, pico or esp32c3") {
		t.Errorf("board=uno: %v", err)
	}
	if _, err := Select([]Port{pico1}, Query{VIDPID: "2e8a"}); err == nil || !strings.Contains(err.Error(), "vvvv:pppp") {
		t.Errorf("vidpid=2e8a: %v", err)
	}
}

func TestKind(t *testing.T) {
	tests := []struct {
		vid, pid uint16
		kind     Kind
		board    string
	}{
		{0x2E8A, 0x000A, PicoFirmware, "pico"},
		{0x2E8A, 0x0003, PicoBootloader, "pico"},
		{0x303A, 0x1001, ESP32C3USBJTAG, "esp32c3"},
		{0x10C4, 0xEA60, USBUARTBridge, ""},
		{0x1A86, 0x7523, USBUARTBridge, ""},
		{0x0403, 0x6001, USBUARTBridge, ""},
		{0x2E8A, 0x0005, Unknown, ""},
	}
	for _, tc := range tests {
		k := Classify(tc.vid, tc.pid)
		if k != tc.kind || k.Board() != tc.board {
			t.Errorf("Classify(%04x:%04x) = %v (board %q), want %v (board %q)", tc.vid, tc.pid, k, k.Board(), tc.kind, tc.board)
		}
	}
}

func TestFormat(t *testing.T) {
	out := Format([]Port{pico1, picoB, esp, cp210})
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("Format gave %d lines:\n%s", len(lines), out)
	}
	for i, want := range [][]string{
		{"PATH", "VID:PID", "SERIAL", "USB PATH", "KIND"},
		{"/dev/ttyACM0", "2e8a:000a", "-", "1-1.2", "pico"},
		{"/dev/ttyACM2", "2e8a:0003", "E0C9125B0D9B", "1-1.4", "pico (bootloader)", "BOOTSEL"},
		{"/dev/ttyACM3", "303a:1001", "34:85:18:01:02:03", "1-2", "esp32c3"},
		{"/dev/ttyUSB0", "10c4:ea60", "0001", "1-3", "USB-UART bridge (unconfirmed)", "possibly an esp32c3"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("line %d lacks %q: %q", i, w, lines[i])
			}
		}
	}
	if got := Format(nil); !strings.Contains(got, "no USB serial ports") {
		t.Errorf("Format(nil) = %q", got)
	}
}
