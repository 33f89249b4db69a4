package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/bootrom"
	"github.com/gatomqtt/gatomqtt/boards/flash/uf2"
	"github.com/gatomqtt/gatomqtt/boards/rfc2217"
)

// picoLine is a Pico's USB CDC port behind a board farm's RFC 2217
// server: 1200 baud with DTR dropped resets the firmware into its
// emulated bootrom, whose drive is a folder; while it is in BOOTSEL the
// port is gone and the server hangs up on new connections, as ser2net
// does when its device has vanished.
type picoLine struct {
	net.Conn // the data side; the firmware says nothing here
	boot     *bootrom.BOOTSEL

	mu     sync.Mutex
	baud   int
	inBoot bool
	taken  []*uf2.Image // what the bootrom took, in order
	ctx    context.Context
	wg     sync.WaitGroup
}

func (l *picoLine) SetBaudRate(baud int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.baud = baud
	return nil
}

func (l *picoLine) SetRTS(bool) error { return nil }

func (l *picoLine) SetDTR(on bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if on || l.baud != 1200 || l.inBoot {
		return nil
	}
	if err := l.boot.Enter(); err != nil {
		return err
	}
	l.inBoot = true
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		im, err := l.boot.Wait(l.ctx)
		l.mu.Lock()
		defer l.mu.Unlock()
		if err == nil {
			l.taken = append(l.taken, im)
			l.inBoot = false
		}
	}()
	return nil
}

func (l *picoLine) up() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.inBoot
}

// picoFarm serves an emulated Pico over RFC 2217 on 127.0.0.1 and
// returns its address and line; the BOOTSEL drive is drive.
func picoFarm(t *testing.T, drive string) (string, *picoLine) {
	t.Helper()
	dev, host := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	line := &picoLine{Conn: host, boot: &bootrom.BOOTSEL{Dir: drive, Poll: time.Millisecond}, ctx: ctx}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if !line.up() {
				c.Close()
				continue
			}
			(&rfc2217.Server{Line: line}).ServeConn(ctx, c)
			c.Close()
		}
	}()
	t.Cleanup(func() {
		cancel()
		ln.Close()
		dev.Close()
		host.Close()
		wg.Wait()
		line.wg.Wait()
	})
	return ln.Addr().String(), line
}

func picoImage(t *testing.T, family uint32) []byte {
	t.Helper()
	f, err := uf2.Encode(bytes.Repeat([]byte("gatomqtt pico "), 1000), uf2.RP2040FlashBase, family)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestFlashPicoOverRFC2217: the board is taken from the UF2 image, the
// touch over RFC 2217 puts the emulated Pico into BOOTSEL, the file lands
// on its drive and the port comes back.
func TestFlashPicoOverRFC2217(t *testing.T) {
	drive := filepath.Join(t.TempDir(), "RPI-RP2")
	addr, line := picoFarm(t, drive)
	img := picoImage(t, uf2.FamilyRP2040)
	for _, args := range [][]string{
		{"flash", "-port", "rfc2217://" + addr, "-drive", drive, writeFile(t, "pico.uf2", img)},
		{"flash", "-board", "pico", "-port", "rfc2217://" + addr, "-drive", filepath.Join(t.TempDir(), "nothing"), "-drive", drive, writeFile(t, "pico.uf2", img)},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), args, &out, &errOut)
		if code != exitOK {
			t.Fatalf("%q: exit %d: %s%s", args, code, out.String(), errOut.String())
		}
		for _, want := range []string{
			"Image is UF2 for the RP2040: 14080 bytes of flash from 0x10000000",
			"Reset into BOOTSEL by the 1200-baud touch on rfc2217://" + addr + "; drive RPI-RP2 at " + drive,
			"Wrote 55 blocks (28160 bytes) to " + filepath.Join(drive, "FIRMWARE.UF2"),
			"Port back: rfc2217://" + addr,
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, out.String())
			}
		}
		if !strings.Contains(errOut.String(), "100 %") {
			t.Errorf("no progress bar to 100 %%: %q", errOut.String())
		}
	}
	line.mu.Lock()
	defer line.mu.Unlock()
	if len(line.taken) != 2 {
		t.Fatalf("the bootrom took %d files, want 2", len(line.taken))
	}
	want, _ := uf2.Validate(img, uf2.RP2040)
	if got, ok := line.taken[1].Read(uf2.RP2040FlashBase, want.Size()); !ok || !bytes.Equal(got, want.Chunks[0].Data) {
		t.Error("the bootrom's image is not the file's")
	}
}

// TestFlashPicoRefuses: an image the RP2040 bootrom would ignore exits 1
// with the reason and the board is not touched; flags of the other board
// are bad usage.
func TestFlashPicoRefuses(t *testing.T) {
	drive := filepath.Join(t.TempDir(), "RPI-RP2")
	tests := []struct {
		name string
		args func(addr string) []string
		code int
		want string
	}{
		{"UF2 for the ESP32-C3", func(addr string) []string {
			return []string{"flash", "-port", "rfc2217://" + addr, "-drive", drive, writeFile(t, "c3.uf2", picoImage(t, uf2.FamilyESP32C3))}
		}, exitFail, "family 0xd42ba06c (ESP32-C3), want 0xe48bff56 (RP2040)"},
		{"ESP image for the pico", func(addr string) []string {
			return []string{"flash", "-board", "pico", "-port", "rfc2217://" + addr, writeFile(t, "c3.bin", testImage(5))}
		}, exitFail, "ESP application image"},
		{"raw binary without -board", func(addr string) []string {
			return []string{"flash", "-port", "rfc2217://" + addr, writeFile(t, "x.bin", []byte{1, 2, 3})}
		}, exitUsage, "pass -board pico or -board esp32c3"},
		{"-reset for the pico", func(addr string) []string {
			return []string{"flash", "-port", "rfc2217://" + addr, "-reset", "none", writeFile(t, "p.uf2", picoImage(t, uf2.FamilyRP2040))}
		}, exitUsage, "-reset is for -board esp32c3"},
		{"-drive for the esp32c3", func(addr string) []string {
			return []string{"flash", "-port", "rfc2217://" + addr, "-drive", drive, writeFile(t, "c3.bin", testImage(5))}
		}, exitUsage, "-drive is for -board pico"},
		{"unknown board", func(addr string) []string {
			return []string{"flash", "-board", "uno", "-port", "rfc2217://" + addr, "x"}
		}, exitUsage, "unknown -board"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, line := picoFarm(t, drive)
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args(addr), &out, &errOut)
			if code != tt.code || !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut.String(), tt.code, tt.want)
			}
			line.mu.Lock()
			defer line.mu.Unlock()
			if line.inBoot || line.baud != 0 {
				t.Errorf("refused, yet the board was touched (baud %d, in BOOTSEL %v)", line.baud, line.inBoot)
			}
		})
	}
}

func TestBoardOf(t *testing.T) {
	tests := []struct {
		name  string
		image []byte
		want  string
	}{
		{"UF2", picoImage(t, uf2.FamilyRP2040), "pico"},
		{"UF2 for another family", picoImage(t, uf2.FamilyESP32C3), "pico"}, // refused later, with the reason
		{"ELF", []byte("\x7fELF\x01\x01\x01"), "pico"},
		{"ESP image", testImage(5), "esp32c3"},
		{"raw binary", []byte{0x00, 0xb5, 0x32, 0x4b}, ""},
		{"empty", nil, ""},
	}
	for _, tt := range tests {
		if got := boardOf(tt.image); got != tt.want {
			t.Errorf("%s: boardOf = %q, want %q", tt.name, got, tt.want)
		}
	}
}
