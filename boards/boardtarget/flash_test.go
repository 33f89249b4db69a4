package boardtarget

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/bootrom"
	"github.com/gatomqtt/gatomqtt/boards/firmware"
	"github.com/gatomqtt/gatomqtt/boards/flash/espimage"
	"github.com/gatomqtt/gatomqtt/boards/flash/uf2"
	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"
	"github.com/gatomqtt/gatomqtt/harness/target/targettest"
)

var (
	twinOnce sync.Once
	twinBin  string
	twinErr  error
)

// builtTwin builds cmd/gatomqtt-twin once for the tests that start one.
func builtTwin(t *testing.T) string {
	t.Helper()
	twinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "boardtarget-twin-")
		if err != nil {
			twinErr = err
			return
		}
		twinBin = filepath.Join(dir, "gatomqtt-twin")
		if out, err := exec.Command("go", "build", "-o", twinBin, twinPath).CombinedOutput(); err != nil {
			twinErr = err
			t.Logf("%s", out)
		}
	})
	if twinErr != nil {
		t.Fatalf("building the twin: %v", twinErr)
	}
	return twinBin
}

// esp32c3Image writes an ESP32-C3 application image stamped with id, as
// gatomqtt-firmware's are; edit changes it before it is written.
func esp32c3Image(t *testing.T, chip espimage.Chip, id string, edit func([]byte)) string {
	t.Helper()
	stamp, err := firmware.BuildStamp(id)
	if err != nil {
		t.Fatal(err)
	}
	image := espimage.Build(chip, 0x40380000, true,
		espimage.Chunk{Addr: 0x3C000000, Data: []byte("rodata:" + stamp + "version")},
		espimage.Chunk{Addr: 0x40380000, Data: make([]byte, 3000)})
	if edit != nil {
		edit(image)
	}
	path := filepath.Join(t.TempDir(), "esp32c3.bin")
	if err := os.WriteFile(path, image, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestFlashTwin flashes an ESP32-C3 twin through its boot ROM over
// RFC 2217, as a board on a farm's port is flashed, and checks that it
// runs the image: the hello reports the build id stamped in it.
func TestFlashTwin(t *testing.T) {
	image := esp32c3Image(t, espimage.ESP32C3, "flash-test-1", nil)
	tg := targettest.Started(t, "twin:esp32c3?twin="+builtTwin(t)+"&firmware="+image)
	bt := tg.(*boardTarget)
	bt.mu.Lock()
	h := bt.hellos
	bt.mu.Unlock()
	if h.BuildID != "flash-test-1" {
		t.Errorf("hello build id %q, want flash-test-1, the image's", h.BuildID)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.DialAddr(ctx, tg.Endpoints().MQTT)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ack, err := c.Connect(client.ConnectOptions{ClientID: "flashed", CleanSession: true}, 5*time.Second)
	if err != nil || ack.ReturnCode != packet.Accepted {
		t.Fatalf("CONNECT to the flashed twin: %v %s", err, client.Describe(ack))
	}
}

// picoImage writes a Pico UF2 stamped with id whose boot2 the bootrom
// runs.
func picoImage(t *testing.T, id string) string {
	t.Helper()
	stamp, err := firmware.BuildStamp(id)
	if err != nil {
		t.Fatal(err)
	}
	bin := make([]byte, 2048)
	copy(bin[256:], "app "+stamp)
	bootrom.SealBoot2(bin)
	file, err := uf2.Encode(bin, uf2.RP2040FlashBase, uf2.FamilyRP2040)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "pico.uf2")
	if err := os.WriteFile(path, file, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestFlashPicoTwin flashes a Pico twin through its bootrom: the touch
// over RFC 2217, the UF2 onto its BOOTSEL drive; the hello then reports
// the image's build id.
func TestFlashPicoTwin(t *testing.T) {
	tg := targettest.Started(t, "twin:pico?twin="+builtTwin(t)+"&firmware="+picoImage(t, "pico-flash-test"))
	bt := tg.(*boardTarget)
	bt.mu.Lock()
	h := bt.hellos
	bt.mu.Unlock()
	if h.BuildID != "pico-flash-test" {
		t.Errorf("hello build id %q, want pico-flash-test, the image's", h.BuildID)
	}
}

// TestImageRefusedAtParse: an image the ROM would refuse is refused
// before the target starts anything or touches a board.
func TestImageRefusedAtParse(t *testing.T) {
	notImage := filepath.Join(t.TempDir(), "x.bin")
	if err := os.WriteFile(notImage, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, image, want string }{
		{"corrupt image", esp32c3Image(t, espimage.ESP32C3, "x", func(b []byte) { b[100] ^= 0xff }), "checksum mismatch"},
		{"another chip's image", esp32c3Image(t, espimage.Chip(2), "x", nil), "image is for ESP32-S2"},
		{"not an image", notImage, "not an ESP image"},
		{"no such file", notImage + ".missing", "no such file"},
	} {
		for _, scheme := range []string{"twin:esp32c3?", "serial:///dev/ttyACM9?board=esp32c3&", "rfc2217://127.0.0.1:1?board=esp32c3&"} {
			_, err := target.Parse(scheme + "firmware=" + tc.image)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s, %s: Parse error %v, want one saying %q", tc.name, scheme, err, tc.want)
			}
		}
	}
	esp := esp32c3Image(t, espimage.ESP32C3, "x", nil)
	for _, scheme := range []string{"twin:pico?", "serial:///dev/ttyACM9?board=pico&", "rfc2217://127.0.0.1:1?board=pico&"} {
		if _, err := target.Parse(scheme + "firmware=" + esp); err == nil || !strings.Contains(err.Error(), "ESP") {
			t.Errorf("an ESP32-C3 image for a Pico, %s: Parse error %v", scheme, err)
		}
	}
	if _, err := target.Parse("twin:esp32c3?reset=sideways&firmware=" + esp32c3Image(t, espimage.ESP32C3, "x", nil)); err == nil || !strings.Contains(err.Error(), "reset=") {
		t.Errorf("unknown reset sequence: %v", err)
	}
}

// TestFlashRefusals: what the board refuses fails Start with the reason.
func TestFlashRefusals(t *testing.T) {
	bin := builtTwin(t)
	for _, tc := range []struct {
		name, image, options, want string
	}{
		// The USB-Serial/JTAG's sequence does not put a chip behind a
		// bridge in its loader: it reboots the (erased) board instead.
		{"wrong reset sequence", esp32c3Image(t, espimage.ESP32C3, "x", nil), "&circuit=bridge&reset=usb-jtag", "give reset=classic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tg, err := target.Parse("twin:esp32c3?twin=" + bin + "&firmware=" + tc.image + tc.options)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			err = tg.Start(ctx)
			if err == nil {
				tg.Stop()
				t.Fatal("started")
			}
			t.Logf("%v", err)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
}
