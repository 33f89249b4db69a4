//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/flash"
	"github.com/gatomqtt/gatomqtt/boards/rfc2217"
)

// BenchmarkFlashESP32C3 flashes the real ESP32-C3 image (build/esp32c3.bin,
// as gatomqtt-firmware writes it) into a twin behind a USB-UART bridge,
// whose line is paced at the baud rate, as hil flash does: connect at the
// ROM's 115200, move to the rate, write, verify. It reports the effective
// rate (image bytes over the write time) as a share of the line's rate
// (8N1: baud/10 bytes a second): uncompressed it is bounded by the
// protocol's overhead and turn-arounds, compressed it can pass 100 %.
func BenchmarkFlashESP32C3(b *testing.B) {
	image, err := os.ReadFile(filepath.Join("..", "..", "build", "esp32c3.bin"))
	if err != nil {
		b.Skipf("no firmware image (build it with go run ./cmd/gatomqtt-firmware esp32c3): %v", err)
	}
	for _, baud := range []int{115200, 921600} {
		for _, compressed := range []bool{false, true} {
			name := fmt.Sprintf("baud=%d/compressed=%v", baud, compressed)
			b.Run(name, func(b *testing.B) {
				url := startBenchTwin(b)
				addr := strings.TrimPrefix(url, "rfc2217://")
				var write time.Duration
				for range b.N {
					write += flashOnce(b, addr, image, baud, !compressed)
				}
				eff := float64(len(image)) * float64(b.N) / write.Seconds()
				b.ReportMetric(eff*8/1000, "kbit/s")
				b.ReportMetric(100*eff/(float64(baud)/10), "%line")
				b.ReportMetric(0, "ns/op")
			})
		}
	}
}

// startBenchTwin runs an ESP32-C3 twin with erased flash behind a bridge.
func startBenchTwin(b *testing.B) string {
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := newOutput(), newOutput()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-board", "esp32c3", "-rfc2217", "127.0.0.1:0", "-erased", "-circuit", "bridge"}, stdout, stderr)
	}()
	b.Cleanup(func() { cancel(); <-done })
	select {
	case url := <-stdout.first:
		return url
	case <-time.After(patience):
		b.Fatalf("the twin printed no port; stderr: %s", stderr)
		return ""
	}
}

// flashOnce flashes image at baud and returns the write time.
func flashOnce(b *testing.B, addr string, image []byte, baud int, raw bool) time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p, err := rfc2217.Dial(ctx, addr)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	if _, err := p.SetBaudRate(ctx, 115200); err != nil {
		b.Fatal(err)
	}
	if err := flash.ClassicReset.Run(ctx, p); err != nil {
		b.Fatal(err)
	}
	o := flash.ESP32C3Options{Uncompressed: raw}
	if baud != 115200 {
		o.Baud = baud
		o.SetBaud = func(rate int) error { _, err := p.SetBaudRate(ctx, rate); return err }
	}
	r, err := flash.ESP32C3(ctx, p, image, o)
	if err != nil {
		b.Fatal(err)
	}
	return r.Write
}
