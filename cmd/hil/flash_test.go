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

	"github.com/gatomqtt/gatomqtt/boards/flash/espimage"
	"github.com/gatomqtt/gatomqtt/boards/flash/esprom"
	"github.com/gatomqtt/gatomqtt/boards/rfc2217"
)

// romLine is an emulated ESP32-C3 in its ROM loader behind a serial line:
// what hil writes reaches the emulated ROM, and the modem lines it sets
// are recorded.
type romLine struct {
	net.Conn // hil's side of a pipe whose other side the ROM serves
	mu       sync.Mutex
	lines    []string // "DTR=1", "RTS=0", ... in order
}

func (l *romLine) SetBaudRate(int) error { return nil }
func (l *romLine) SetDTR(on bool) error  { return l.record("DTR", on) }
func (l *romLine) SetRTS(on bool) error  { return l.record("RTS", on) }

func (l *romLine) record(name string, on bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	v := "0"
	if on {
		v = "1"
	}
	l.lines = append(l.lines, name+"="+v)
	return nil
}

// farm serves an emulated ESP32-C3 ROM over RFC 2217 on 127.0.0.1, as
// ser2net serves a board farm's port, and returns its address.
func farm(t *testing.T, opts esprom.EmulatorOptions) (string, *esprom.Emulator, *romLine) {
	t.Helper()
	dev, host := net.Pipe()
	e := esprom.NewEmulator(opts)
	line := &romLine{Conn: host}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); e.Serve(ctx, dev) }()
	go func() {
		defer wg.Done()
		c, err := ln.Accept()
		if err != nil {
			return
		}
		(&rfc2217.Server{Line: line}).ServeConn(ctx, c)
		c.Close()
	}()
	t.Cleanup(func() {
		cancel()
		ln.Close()
		dev.Close()
		host.Close()
		wg.Wait()
	})
	return ln.Addr().String(), e, line
}

func writeImage(t *testing.T, img []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "image.bin")
	if err := os.WriteFile(path, img, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func testImage(chip espimage.Chip) []byte {
	return espimage.Build(chip, 0x40380080, true,
		espimage.Chunk{Addr: 0x3c000020, Data: bytes.Repeat([]byte("gatomqtt "), 2000)},
		espimage.Chunk{Addr: 0x42000020, Data: bytes.Repeat([]byte{1, 2, 3, 5, 8, 13}, 3000)},
	)
}

// TestFlashOverRFC2217 flashes an image to an emulated ESP32-C3 ROM
// reached over RFC 2217: the reset sequence reaches the board's modem
// lines in order, the flash holds the image and the MD5 is verified.
func TestFlashOverRFC2217(t *testing.T) {
	addr, e, line := farm(t, esprom.EmulatorOptions{})
	img := testImage(espimage.ESP32C3)
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"flash", "-port", "rfc2217://" + addr, writeImage(t, img)}, &out, &errOut)
	if code != exitOK {
		t.Fatalf("exit %d: %s%s", code, out.String(), errOut.String())
	}
	if !bytes.Equal(e.Flash()[:len(img)], img) {
		t.Error("the emulated flash does not hold the image")
	}
	for _, want := range []string{"Chip is ESP32-C3", "Hash of data verified", "Hard resetting"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	line.mu.Lock()
	got := strings.Join(line.lines, " ")
	line.mu.Unlock()
	// classic entry into the ROM loader, then the hard reset
	want := "DTR=0 RTS=1 DTR=1 RTS=0 DTR=0 RTS=0 DTR=0 RTS=1 DTR=0 RTS=0"
	if got != want {
		t.Errorf("modem lines %s, want %s", got, want)
	}
}

// TestFlashRefuses: an image for another chip, or a port that is not an
// ESP32-C3, exits 1 with the reason and writes nothing; bad usage exits 2.
func TestFlashRefuses(t *testing.T) {
	tests := []struct {
		name string
		args func(addr string) []string
		chip uint32
		code int
		want string
	}{
		{"image for the ESP32-S3", func(addr string) []string {
			return []string{"flash", "-port", "rfc2217://" + addr, writeImage(t, testImage(9))}
		}, 0, exitFail, "ESP32-S3"},
		{"board is an ESP32-S3", func(addr string) []string {
			return []string{"flash", "-port", "rfc2217://" + addr, writeImage(t, testImage(espimage.ESP32C3))}
		}, 9, exitFail, "the port's chip is ESP32-S3"},
		{"no port", func(string) []string { return []string{"flash", "x.bin"} }, 0, exitUsage, "-port is required"},
		{"bad reset", func(addr string) []string {
			return []string{"flash", "-port", "rfc2217://" + addr, "-reset", "twice", "x.bin"}
		}, 0, exitUsage, "unknown -reset"},
		{"unknown command", func(string) []string { return []string{"burn"} }, 0, exitUsage, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, e, _ := farm(t, esprom.EmulatorOptions{ChipID: tt.chip})
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args(addr), &out, &errOut)
			if code != tt.code || !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut.String(), tt.code, tt.want)
			}
			if len(e.Regions()) != 0 {
				t.Errorf("refused, yet flash was written: %v", e.Regions())
			}
		})
	}
}

// TestBoards lists what this machine has: a table or the sentence saying
// there is nothing, never an error on a machine without USB ports.
func TestBoards(t *testing.T) {
	twinDir = t.TempDir() // not the twins other tests run here now
	t.Cleanup(func() { twinDir = "" })
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"boards"}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if s := out.String(); !strings.Contains(s, "VID:PID") && s != "no USB serial ports found\n" {
		t.Errorf("output %q", s)
	}
	if code := run(context.Background(), []string{"boards", "extra"}, &out, &errOut); code != exitUsage {
		t.Errorf("boards extra: exit %d, want %d", code, exitUsage)
	}
}
