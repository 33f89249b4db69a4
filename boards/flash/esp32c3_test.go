package flash_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/flash"
	"github.com/gatomqtt/gatomqtt/boards/flash/espimage"
	"github.com/gatomqtt/gatomqtt/boards/flash/esprom"
)

// image is an ESP32-C3 image of about 60 KiB, partly compressible.
func image(chip espimage.Chip) []byte {
	code := make([]byte, 40<<10)
	for i := range code {
		code[i] = byte(i*7) ^ byte(i>>9)
	}
	return espimage.Build(chip, 0x40380080, true,
		espimage.Chunk{Addr: 0x3c000020, Data: bytes.Repeat([]byte("rodata "), 3000)},
		espimage.Chunk{Addr: 0x42000020, Data: code},
	)
}

// rom serves an emulated ESP32-C3 ROM loader on one end of a pipe and
// returns the other end.
func rom(t *testing.T, opts esprom.EmulatorOptions) (net.Conn, *esprom.Emulator) {
	t.Helper()
	dev, host := net.Pipe()
	e := esprom.NewEmulator(opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Serve(ctx, dev) }()
	t.Cleanup(func() {
		cancel()
		host.Close()
		dev.Close()
		<-done
	})
	return host, e
}

func TestESP32C3Flashes(t *testing.T) {
	for _, uncompressed := range []bool{false, true} {
		img := image(espimage.ESP32C3)
		port, e := rom(t, esprom.EmulatorOptions{})
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var last int
		r, err := flash.ESP32C3(ctx, port, img, flash.ESP32C3Options{
			Uncompressed: uncompressed,
			Progress:     func(done, total int) { last = done },
		})
		if err != nil {
			t.Fatalf("uncompressed %v: %v", uncompressed, err)
		}
		if got := e.Flash()[:len(img)]; !bytes.Equal(got, img) {
			t.Errorf("uncompressed %v: the emulated flash does not hold the image", uncompressed)
		}
		if r.Chip != espimage.ESP32C3 || len(r.Image.Segments) != 2 || len(r.MD5) != 32 || last != len(img) {
			t.Errorf("uncompressed %v: result %+v, progress ended at %d of %d", uncompressed, r, last, len(img))
		}
	}
}

// TestESP32C3Refuses: what is not for the chip is refused before anything
// is written, and says why.
func TestESP32C3Refuses(t *testing.T) {
	corrupt := image(espimage.ESP32C3)
	corrupt[len(corrupt)-40] ^= 0xff // inside the SHA-256 digest
	tests := []struct {
		name  string
		image []byte
		chip  uint32 // what the ROM reports; 0 the ESP32-C3
		want  error
		text  string
	}{
		{"image for the ESP32-S3", image(espimage.Chip(9)), 0, espimage.ErrChip, "ESP32-S3"},
		{"corrupt image", corrupt, 0, espimage.ErrHash, "refusing the image"},
		{"not an image", []byte("\x7fELF\x01\x01\x01 an ELF file, not a .bin"), 0, espimage.ErrMagic, "refusing the image"},
		{"port with an ESP32-S3", image(espimage.ESP32C3), 9, nil, "the port's chip is ESP32-S3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			port, e := rom(t, esprom.EmulatorOptions{ChipID: tt.chip})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := flash.ESP32C3(ctx, port, tt.image, flash.ESP32C3Options{})
			if err == nil || tt.want != nil && !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("ESP32C3: %v, want an error wrapping %v saying %q", err, tt.want, tt.text)
			}
			if len(e.Regions()) != 0 {
				t.Errorf("refused, yet flash was written: %v", e.Regions())
			}
		})
	}
}
