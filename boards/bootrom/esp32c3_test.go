package bootrom_test

import (
	"context"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/bootrom"
	"github.com/gatomqtt/gatomqtt/boards/firmware"
	"github.com/gatomqtt/gatomqtt/boards/flash"
	"github.com/gatomqtt/gatomqtt/boards/flash/espimage"
)

// lines feeds a ResetSequence's modem lines to a Strapping, as the
// twin's RFC 2217 server does: DTR and RTS as separate commands.
type lines struct{ s *bootrom.Strapping }

func (l lines) SetDTR(on bool) error { l.s.SetDTR(on); return nil }
func (l lines) SetRTS(on bool) error { l.s.SetRTS(on); return nil }

func TestResetSequencesSelectTheBootMode(t *testing.T) {
	for _, tc := range []struct {
		name    string
		circuit bootrom.Circuit
		seq     flash.ResetSequence
		want    []bootrom.StrapEvent // nil: no event
	}{
		{"classic on a bridge", bootrom.AutoReset, flash.ClassicReset, []bootrom.StrapEvent{{Reset: true}, {Mode: bootrom.DownloadBoot}}},
		{"usb-jtag on USB-Serial/JTAG", bootrom.USBSerialJTAG, flash.USBJTAGReset, []bootrom.StrapEvent{{Reset: true}, {Mode: bootrom.DownloadBoot}}},
		{"hard reset on a bridge", bootrom.AutoReset, flash.HardReset, []bootrom.StrapEvent{{Reset: true}, {Mode: bootrom.FlashBoot}}},
		{"hard reset on USB-Serial/JTAG", bootrom.USBSerialJTAG, flash.HardReset, []bootrom.StrapEvent{{Reset: true}, {Mode: bootrom.FlashBoot}}},
		// The wrong sequence for the port reboots the application: esptool
		// users see "wrong boot mode detected".
		{"usb-jtag on a bridge", bootrom.AutoReset, flash.USBJTAGReset, []bootrom.StrapEvent{{Reset: true}, {Mode: bootrom.FlashBoot}}},
		{"classic on USB-Serial/JTAG", bootrom.USBSerialJTAG, flash.ClassicReset, []bootrom.StrapEvent{{Reset: true}, {Mode: bootrom.DownloadBoot}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := bootrom.NewStrapping(tc.circuit)
			if err := tc.seq.Run(context.Background(), lines{s}); err != nil {
				t.Fatal(err)
			}
			for i, want := range tc.want {
				select {
				case got := <-s.Events():
					if got != want {
						t.Fatalf("event %d = %+v, want %+v", i, got, want)
					}
				case <-time.After(time.Second):
					t.Fatalf("event %d (%+v) never came", i, want)
				}
			}
			// Anything more would have come within the RC delay.
			select {
			case ev := <-s.Events():
				t.Fatalf("unexpected event %+v", ev)
			case <-time.After(50 * time.Millisecond):
			}
		})
	}
}

// Opening a port sets both lines, closing it clears both at once: neither
// resets the board, so a monitor does not reboot what it watches.
func TestOpenAndCloseDoNotReset(t *testing.T) {
	for _, c := range []bootrom.Circuit{bootrom.AutoReset, bootrom.USBSerialJTAG} {
		s := bootrom.NewStrapping(c)
		s.SetLines(true, true)
		s.SetLines(false, false)
		s.SetLines(true, true)
		select {
		case ev := <-s.Events():
			t.Errorf("%v: event %+v", c, ev)
		case <-time.After(50 * time.Millisecond): // past the RC delay
		}
	}
}

func TestBootFromFlash(t *testing.T) {
	stamp, err := firmware.BuildStamp("abc123")
	if err != nil {
		t.Fatal(err)
	}
	flashOf := func(image []byte) []byte {
		f := make([]byte, 64<<10)
		for i := range f {
			f[i] = 0xFF
		}
		copy(f, image)
		return f
	}
	good := espimage.Build(espimage.ESP32C3, 0x40380000, true,
		espimage.Chunk{Addr: 0x3C000000, Data: []byte("rodata " + stamp + "more")},
		espimage.Chunk{Addr: 0x40380000, Data: make([]byte, 64)})
	b, err := bootrom.BootFromFlash(flashOf(good))
	if err != nil {
		t.Fatalf("good image: %v", err)
	}
	if b.BuildID != "abc123" || b.Image.Entry != 0x40380000 {
		t.Errorf("boot = %+v, want build id abc123 and entry 0x40380000", b)
	}

	corrupt := append([]byte(nil), good...)
	corrupt[40] ^= 1
	for name, f := range map[string][]byte{
		"erased":     flashOf(nil),
		"other chip": flashOf(espimage.Build(espimage.Chip(2), 0x40380000, true, espimage.Chunk{Addr: 0x40380000, Data: make([]byte, 16)})),
		"corrupt":    flashOf(corrupt),
	} {
		if _, err := bootrom.BootFromFlash(f); err == nil {
			t.Errorf("%s: booted", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}
