package flash_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/bootrom"
	"github.com/gatomqtt/gatomqtt/boards/flash"
	"github.com/gatomqtt/gatomqtt/boards/flash/espimage"
	"github.com/gatomqtt/gatomqtt/boards/flash/uf2"
)

// twin is a Pico's Go twin as far as flashing goes: its port's touch
// enters an emulated BOOTSEL drive, and the port is back once the
// emulated bootrom took a file.
type twin struct {
	b       *bootrom.BOOTSEL
	touches atomic.Int32
	taken   chan *uf2.Image // the image the bootrom took, once
	failed  chan error      // Wait's error
	noTouch bool            // the touch does nothing: firmware without USB CDC
}

func newTwin(t *testing.T) *twin {
	t.Helper()
	return &twin{
		b:      &bootrom.BOOTSEL{Dir: filepath.Join(t.TempDir(), "RPI-RP2"), Poll: time.Millisecond},
		taken:  make(chan *uf2.Image, 1),
		failed: make(chan error, 1),
	}
}

// enter shows the drive and starts the bootrom's wait for a file, which
// ends with t.
func (tw *twin) enter(t *testing.T) {
	if err := tw.b.Enter(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		im, err := tw.b.Wait(ctx)
		if err != nil {
			tw.failed <- err
			return
		}
		tw.taken <- im
	}()
	t.Cleanup(func() { cancel(); <-done })
}

func (tw *twin) port(t *testing.T) flash.PicoPort { return &twinPort{tw: tw, t: t} }

type twinPort struct {
	tw *twin
	t  *testing.T
}

func (p *twinPort) Touch(ctx context.Context) error {
	p.tw.touches.Add(1)
	if !p.tw.noTouch {
		p.tw.enter(p.t)
	}
	return nil
}

func (p *twinPort) Back(ctx context.Context) (string, error) {
	select {
	case im := <-p.tw.taken:
		p.tw.taken <- im // for the test to look at
		return "twin-port", nil
	case err := <-p.tw.failed:
		return "", err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// makeELF returns a little-endian ELF32 ARM executable with one loadable
// segment holding data at physical address paddr.
func makeELF(paddr uint32, data []byte) []byte {
	const ehsize, phsize = 52, 32
	le := binary.LittleEndian
	f := make([]byte, ehsize+phsize, ehsize+phsize+len(data))
	copy(f, "\x7fELF\x01\x01\x01")
	le.PutUint16(f[16:], 2)  // ET_EXEC
	le.PutUint16(f[18:], 40) // EM_ARM
	le.PutUint32(f[20:], 1)
	le.PutUint32(f[24:], paddr)
	le.PutUint32(f[28:], ehsize)
	le.PutUint16(f[40:], ehsize)
	le.PutUint16(f[42:], phsize)
	le.PutUint16(f[44:], 1)
	ph := f[ehsize:]
	le.PutUint32(ph[0:], 1) // PT_LOAD
	le.PutUint32(ph[4:], ehsize+phsize)
	le.PutUint32(ph[8:], paddr)
	le.PutUint32(ph[12:], paddr)
	le.PutUint32(ph[16:], uint32(len(data)))
	le.PutUint32(ph[20:], uint32(len(data)))
	le.PutUint32(ph[24:], 5) // R+X
	le.PutUint32(ph[28:], 4)
	return append(f, data...)
}

func program(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31) ^ byte(i>>8)
	}
	return b
}

func mustUF2(t *testing.T, image []byte, base, family uint32) []byte {
	t.Helper()
	f, err := uf2.Encode(image, base, family)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestPicoFlashes: each kind of image reaches the emulated bootrom's
// flash through a touch, the drive and the port coming back.
func TestPicoFlashes(t *testing.T) {
	prog := program(20000)
	tests := []struct {
		kind  string
		image []byte
	}{
		{"UF2", mustUF2(t, prog, uf2.RP2040FlashBase, uf2.FamilyRP2040)},
		{"binary", prog},
		{"ELF", makeELF(uf2.RP2040FlashBase, prog)},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			tw := newTwin(t)
			var done, total int
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			r, err := flash.Pico(ctx, tw.port(t), tt.image, flash.PicoOptions{
				Drives:   []string{filepath.Join(t.TempDir(), "elsewhere"), tw.b.Dir},
				Poll:     time.Millisecond,
				Progress: func(d, n int) { done, total = d, n },
			})
			if err != nil {
				t.Fatal(err)
			}
			im := <-tw.taken
			if got, ok := im.Read(uf2.RP2040FlashBase, len(prog)); !ok || !bytes.Equal(got, prog) {
				t.Error("the bootrom's image is not the program")
			}
			if fl := tw.b.Flash(); !bytes.Equal(fl[:len(prog)], prog) {
				t.Error("the emulated flash does not hold the program")
			}
			blocks := (len(prog) + 255) / 256
			if r.Kind != tt.kind || r.Blocks != blocks || r.Bytes != blocks*512 || r.Drive != tw.b.Dir || r.Port != "twin-port" || !r.Touched {
				t.Errorf("result %+v", r)
			}
			if done != r.Bytes || total != r.Bytes {
				t.Errorf("progress ended at %d of %d, want %d", done, total, r.Bytes)
			}
			if n := tw.touches.Load(); n != 1 {
				t.Errorf("%d touches", n)
			}
		})
	}
}

// TestPicoInBOOTSEL: a board already in BOOTSEL is not touched.
func TestPicoInBOOTSEL(t *testing.T) {
	tw := newTwin(t)
	tw.enter(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r, err := flash.Pico(ctx, tw.port(t), program(1000), flash.PicoOptions{Drives: []string{tw.b.Dir}, Poll: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if r.Touched || tw.touches.Load() != 0 || r.Blocks != 4 || r.Port != "twin-port" {
		t.Errorf("result %+v after %d touches", r, tw.touches.Load())
	}
}

// TestPicoRefuses: an image the bootrom would ignore is refused, with the
// reason, before the board is touched.
func TestPicoRefuses(t *testing.T) {
	corrupt := mustUF2(t, program(1000), uf2.RP2040FlashBase, uf2.FamilyRP2040)
	corrupt[512+4] ^= 0xff
	esp := espimage.Build(espimage.ESP32C3, 0x40380080, true, espimage.Chunk{Addr: 0x42000020, Data: program(300)})
	tests := []struct {
		name  string
		image []byte
		want  string
	}{
		{"UF2 for the ESP32-C3", mustUF2(t, program(1000), uf2.RP2040FlashBase, uf2.FamilyESP32C3), "family 0xd42ba06c (ESP32-C3), want 0xe48bff56 (RP2040)"},
		{"ESP32-C3 image", esp, "ESP application image"},
		{"corrupt UF2", corrupt, "block 1: second magic"},
		{"too big for 2 MiB", program(2<<20 + 1), "outside flash 0x10000000..0x10200000"},
		{"ELF for RAM", makeELF(0x20000000, program(300)), "outside flash"},
		{"UF2 for RAM", mustUF2(t, program(300), 0x20000000, uf2.FamilyRP2040), "address 0x20000000 outside flash"},
		{"empty", nil, "empty image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tw := newTwin(t)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := flash.Pico(ctx, tw.port(t), tt.image, flash.PicoOptions{Drives: []string{tw.b.Dir}, DriveTimeout: time.Second})
			if err == nil || !strings.Contains(err.Error(), "refusing") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Pico: %v; want a refusal saying %q", err, tt.want)
			}
			if n := tw.touches.Load(); n != 0 {
				t.Errorf("refused, yet touched %d times", n)
			}
		})
	}
}

// TestPicoNoDrive: when no drive appears after the touch, the error says
// where it was looked for, for how long, and what to check.
func TestPicoNoDrive(t *testing.T) {
	tw := newTwin(t)
	tw.noTouch = true
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	// A UF2 drive that is not the RP2040 bootrom's does not count.
	if err := os.Mkdir(b, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b, "INFO_UF2.TXT"), []byte("UF2 Bootloader v0.7.0\nBoard-ID: nRF52840-Feather\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := flash.Pico(ctx, tw.port(t), program(1000), flash.PicoOptions{Drives: []string{a, b}, DriveTimeout: 100 * time.Millisecond, Poll: time.Millisecond})
	for _, want := range []string{"the drive RPI-RP2 did not appear in " + a + ", " + b + " within 100ms", "is the board in BOOTSEL?"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Pico: %v; want it to say %q", err, want)
		}
	}
	if n := tw.touches.Load(); n != 1 {
		t.Errorf("%d touches, want 1", n)
	}
}

// TestPicoNotBack: a port that does not come back is an error naming the
// step, after the copy.
func TestPicoNotBack(t *testing.T) {
	tw := newTwin(t)
	tw.enter(t)
	port := &notBack{}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := flash.Pico(ctx, port, program(1000), flash.PicoOptions{Drives: []string{tw.b.Dir}, BackTimeout: 50 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "did not come back") || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Pico: %v", err)
	}
	if r.Bytes != 4*512 || r.Drive != tw.b.Dir {
		t.Errorf("result %+v", r)
	}
}

type notBack struct{}

func (notBack) Touch(context.Context) error { return errors.New("not expected") }
func (notBack) Back(ctx context.Context) (string, error) {
	<-ctx.Done()
	return "", ctx.Err()
}

// TestPicoWithoutPort: with no port the board must be in BOOTSEL.
func TestPicoWithoutPort(t *testing.T) {
	tw := newTwin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := flash.Pico(ctx, nil, program(1000), flash.PicoOptions{Drives: []string{tw.b.Dir}})
	if err == nil || !strings.Contains(err.Error(), "put the board in BOOTSEL by hand") {
		t.Fatalf("no drive, no port: %v", err)
	}
	tw.enter(t)
	r, err := flash.Pico(ctx, nil, program(1000), flash.PicoOptions{Drives: []string{tw.b.Dir}})
	if err != nil || r.Port != "" || r.Touched {
		t.Fatalf("in BOOTSEL, no port: %+v, %v", r, err)
	}
	select {
	case <-tw.taken:
	case err := <-tw.failed:
		t.Fatal(err)
	case <-ctx.Done():
		t.Fatal("the bootrom did not take the file")
	}
}
