package discover

import (
	"net/url"
	"strings"
	"testing"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		raw  string
		want Query
		err  string // substring of the error, "" for none
	}{
		{raw: "", want: Query{}},
		{raw: "board=auto", want: Query{Board: "auto"}},
		{raw: "board=Pico&baud=115200", want: Query{Board: "pico"}}, // other parameters are not ours
		{raw: "board=esp32c3&serial=34:85:18:01:02:03", want: Query{Board: "esp32c3", Serial: "34:85:18:01:02:03"}},
		{raw: "vidpid=2E8A:000A", want: Query{VIDPID: "2e8a:000a"}},
		{raw: "vidpid=2e8a:a", want: Query{VIDPID: "2e8a:000a"}},
		{raw: "usbpath=1-1.2", want: Query{USBPath: "1-1.2"}},
		{raw: "usbpath=3-4", want: Query{USBPath: "3-4"}},
		{raw: "board=uno", err: "board=uno: want auto, pico or esp32c3"},
		{raw: "board=", err: "board is empty"},
		{raw: "board=auto&board=pico", err: "board given 2 times"},
		{raw: "vidpid=2e8a", err: "vidpid=2e8a: want vvvv:pppp in hex"},
		{raw: "vidpid=2e8a:000g", err: "vidpid=2e8a:000g: want vvvv:pppp"},
		{raw: "vidpid=12345:0001", err: "want vvvv:pppp"},
		{raw: "vidpid=:", err: "want vvvv:pppp"},
		{raw: "serial=", err: "serial is empty"},
		{raw: "usbpath=ttyACM0", err: "usbpath=ttyACM0: want bus-port[.port…]"},
		{raw: "usbpath=1-1.2:1.0", err: "usbpath=1-1.2:1.0: want bus-port"},
		{raw: "usbpath=usb1", err: "want bus-port"},
	}
	for _, tc := range tests {
		v, err := url.ParseQuery(tc.raw)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseQuery(v)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseQuery(%q) = %+v, %v; want error containing %q", tc.raw, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseQuery(%q) = %+v, %v; want %+v", tc.raw, got, err, tc.want)
		}
	}
}

func TestQueryString(t *testing.T) {
	if got := (Query{Board: "pico", USBPath: "1-1.2"}).String(); got != "board=pico&usbpath=1-1.2" {
		t.Errorf("String = %q", got)
	}
	if got := (Query{}).String(); got != "any USB serial port" {
		t.Errorf("String = %q", got)
	}
}
