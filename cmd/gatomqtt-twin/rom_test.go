//go:build linux

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/boards/bootrom"
	"github.com/gatomqtt/gatomqtt/boards/firmware"
	"github.com/gatomqtt/gatomqtt/boards/flash"
	"github.com/gatomqtt/gatomqtt/boards/flash/espimage"
	"github.com/gatomqtt/gatomqtt/boards/flash/esprom"
	"github.com/gatomqtt/gatomqtt/boards/flash/uf2"
	"github.com/gatomqtt/gatomqtt/boards/rfc2217"
)

func stamp(t *testing.T, id string) string {
	t.Helper()
	s, err := firmware.BuildStamp(id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// picoImage is a Pico image the bootrom runs (boot2 sealed) stamped
// with id, as a UF2.
func picoImage(t *testing.T, id string, sealed bool) []byte {
	t.Helper()
	bin := make([]byte, 4096)
	copy(bin[256:], "application "+stamp(t, id))
	if sealed {
		bootrom.SealBoot2(bin)
	}
	file, err := uf2.Encode(bin, uf2.RP2040FlashBase, uf2.FamilyRP2040)
	if err != nil {
		t.Fatal(err)
	}
	return file
}

func helloBuild(t *testing.T, c *firmware.Client) string {
	t.Helper()
	h, err := c.Hello(patience)
	if err != nil {
		t.Fatal(err)
	}
	return h.BuildID
}

// TestPicoTouchFlashesAndBoots: a Pico twin running its own firmware
// takes the 1200-baud touch over RFC 2217, shows its BOOTSEL drive,
// takes a UF2 there and boots it: the hello reports the image's build
// id.
func TestPicoTouchFlashesAndBoots(t *testing.T) {
	drive := filepath.Join(t.TempDir(), "RPI-RP2")
	url := startTwin(t, "-board", "pico", "-rfc2217", "127.0.0.1:0", "-bootsel-dir", drive, "-v")
	l, c := host(t, url, &boards.Pico)
	if id := helloBuild(t, c); id == "pico-flashed" {
		t.Fatalf("the twin runs %q before it was flashed", id)
	}
	l.Close() // the port has one holder: the flasher is next
	addr := strings.TrimPrefix(url, "rfc2217://")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r, err := flash.Pico(ctx, &flash.PicoRFC2217{Addr: addr}, picoImage(t, "pico-flashed", true), flash.PicoOptions{Drives: []string{drive}})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Touched || r.Drive != drive {
		t.Errorf("result %+v: want a touch and the drive %s", r, drive)
	}
	_, c = host(t, url, &boards.Pico)
	if id := helloBuild(t, c); id != "pico-flashed" {
		t.Errorf("after the flash the hello says build %q, want pico-flashed", id)
	}
}

// TestPicoBootromRefusals: a UF2 the bootrom does not take leaves the
// board in BOOTSEL, and so does one whose boot2 does not check out
// (the bootrom takes the file, then finds no boot2 it runs).
func TestPicoBootromRefusals(t *testing.T) {
	drive := filepath.Join(t.TempDir(), "RPI-RP2")
	url, stderr := startTwinOutput(t, "-board", "pico", "-rfc2217", "127.0.0.1:0", "-bootsel-dir", drive, "-erased", "-v")
	addr := strings.TrimPrefix(url, "rfc2217://")
	info := filepath.Join(drive, "INFO_UF2.TXT")
	if _, err := os.Stat(info); err != nil {
		t.Fatalf("an erased Pico shows no BOOTSEL drive: %v", err)
	}
	portGone := func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		p, err := rfc2217.Dial(ctx, addr)
		if err == nil {
			p.Close()
		}
		return err != nil
	}
	if !portGone() {
		t.Fatal("the serial port is there while the board is in BOOTSEL")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for !cond() {
			select {
			case <-ctx.Done():
				t.Fatalf("%s: never", what)
			case <-time.After(20 * time.Millisecond):
			}
		}
	}

	esp := espimage.Build(espimage.ESP32C3, 0x40380000, true, espimage.Chunk{Addr: 0x40380000, Data: make([]byte, 64)})
	other, err := uf2.Encode(esp, 0x0, 0xd42ba06c) // the ESP32-C3's family
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(drive, "OTHER.UF2"), other, 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor("the refusal of another family's UF2", func() bool { return strings.Contains(stderr.String(), "OTHER.UF2") })

	if err := os.WriteFile(filepath.Join(drive, "NOBOOT2.UF2"), picoImage(t, "unsealed", false), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor("the boot check", func() bool { return strings.Contains(stderr.String(), "boot2") })
	waitFor("the drive back", func() bool { _, err := os.Stat(info); return err == nil })
	if !portGone() {
		t.Error("a board without a valid boot2 has its serial port")
	}

	// And a good image still boots.
	if _, err := flash.Pico(ctx, nil, picoImage(t, "pico-good", true), flash.PicoOptions{Drives: []string{drive}}); err != nil {
		t.Fatal(err)
	}
	waitFor("the serial port back", func() bool { return !portGone() })
	_, c := host(t, url, &boards.Pico)
	if id := helloBuild(t, c); id != "pico-good" {
		t.Errorf("hello build %q, want pico-good", id)
	}
}

// TestESP32C3ResetFlashBoot flashes an ESP32-C3 twin as hil flash does,
// through each reset circuit with its own sequence, and checks it boots
// the image.
func TestESP32C3ResetFlashBoot(t *testing.T) {
	for _, tc := range []struct {
		circuit string
		reset   flash.ResetSequence
	}{
		{"usb-jtag", flash.USBJTAGReset},
		{"bridge", flash.ClassicReset},
	} {
		t.Run(tc.circuit, func(t *testing.T) {
			url := startTwin(t, "-board", "esp32c3", "-rfc2217", "127.0.0.1:0", "-circuit", tc.circuit)
			addr := strings.TrimPrefix(url, "rfc2217://")
			id := "c3-" + tc.circuit
			image := espimage.Build(espimage.ESP32C3, 0x40380000, true,
				espimage.Chunk{Addr: 0x3C000000, Data: []byte("ro " + stamp(t, id))},
				espimage.Chunk{Addr: 0x40380000, Data: make([]byte, 2048)})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			p, err := rfc2217.Dial(ctx, addr)
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.reset.Run(ctx, p); err != nil {
				t.Fatal(err)
			}
			if _, err := flash.ESP32C3(ctx, p, image, flash.ESP32C3Options{}); err != nil {
				t.Fatal(err)
			}
			if err := flash.HardReset.Run(ctx, p); err != nil {
				t.Fatal(err)
			}
			p.Close()
			_, c := host(t, url, &boards.ESP32C3)
			if got := helloBuild(t, c); got != id {
				t.Errorf("hello build %q, want %q", got, id)
			}
		})
	}
}

// TestBootloaderResetEntersTheLoader: a Bootloader reset request from the
// host leaves the board in its ROM's loader: the ESP32-C3's answers SYNC,
// the Pico shows its BOOTSEL drive.
func TestBootloaderResetEntersTheLoader(t *testing.T) {
	t.Run("esp32c3", func(t *testing.T) {
		url, log := startTwinOutput(t, "-board", "esp32c3", "-rfc2217", "127.0.0.1:0", "-v")
		defer func() {
			if t.Failed() {
				t.Logf("twin: %s", log)
			}
		}()
		l, c := host(t, url, &boards.ESP32C3)
		if err := c.Reset(firmware.Bootloader); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// The request is on its way once written; the twin's log says
		// when the board took it.
		for !strings.Contains(log.String(), "asked for the ROM loader") {
			select {
			case <-ctx.Done():
				t.Fatalf("the twin never took the Bootloader reset; it said: %s", log)
			case <-time.After(10 * time.Millisecond):
			}
		}
		l.Close()
		p, err := rfc2217.Dial(ctx, strings.TrimPrefix(url, "rfc2217://"))
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		loader := esprom.NewLoader(p, nil)
		defer loader.Close()
		if err := loader.Sync(ctx); err != nil {
			t.Fatalf("after a Bootloader reset the ROM loader does not answer: %v", err)
		}
	})
	t.Run("pico", func(t *testing.T) {
		drive := filepath.Join(t.TempDir(), "RPI-RP2")
		url := startTwin(t, "-board", "pico", "-rfc2217", "127.0.0.1:0", "-bootsel-dir", drive, "-v")
		_, c := host(t, url, &boards.Pico)
		if err := c.Reset(firmware.Bootloader); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			if _, err := os.Stat(filepath.Join(drive, "INFO_UF2.TXT")); err == nil {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("no BOOTSEL drive after a Bootloader reset")
			}
			time.Sleep(20 * time.Millisecond) // polling the folder, as a host does
		}
	})
}
