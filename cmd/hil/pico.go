package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/gatomqtt/gatomqtt/boards/flash"
	"github.com/gatomqtt/gatomqtt/boards/flash/uf2"
)

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ", ") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

// boardOf returns the board an image is for by its first bytes: "pico"
// for UF2 and ELF files, "esp32c3" for an ESP application image (magic
// 0xE9), "" for anything else (a raw binary says nothing).
func boardOf(image []byte) string {
	switch {
	case len(image) >= 4 && binary.LittleEndian.Uint32(image) == uf2.Magic0:
		return "pico"
	case bytes.HasPrefix(image, []byte("\x7fELF")):
		return "pico"
	case len(image) > 0 && image[0] == 0xe9:
		return "esp32c3"
	}
	return ""
}

// picoPort is the PicoPort for -port: an RFC 2217 address or a local
// device; nil without one.
func picoPort(name string) flash.PicoPort {
	if addr, ok := strings.CutPrefix(name, "rfc2217://"); ok {
		return &flash.PicoRFC2217{Addr: addr}
	}
	if name == "" {
		return nil
	}
	return &flash.PicoSerial{Device: name}
}

// flashPico is "hil flash" for the Pico: touch, copy to the RPI-RP2
// drive, wait for the port.
func flashPico(ctx context.Context, portName string, drives []string, path string, image []byte, stdout, stderr io.Writer) int {
	bar := newProgress(stderr, 0)
	r, err := flash.Pico(ctx, picoPort(portName), image, flash.PicoOptions{Drives: drives, Progress: bar.update})
	if err != nil {
		bar.abort()
		fmt.Fprintf(stderr, "hil flash: %s: %v\n", path, err)
		return exitFail
	}
	bar.done()
	start := uint32(0)
	if len(r.Image.Chunks) > 0 {
		start = r.Image.Chunks[0].Addr
	}
	fmt.Fprintf(stdout, "Image is %s for the RP2040: %d bytes of flash from %#08x\n", r.Kind, r.Image.Size(), start)
	if r.Touched {
		fmt.Fprintf(stdout, "Reset into BOOTSEL by the 1200-baud touch on %s; drive RPI-RP2 at %s after %.1f s\n", portName, r.Drive, r.DriveWait.Seconds())
	} else {
		fmt.Fprintf(stdout, "Board already in BOOTSEL; drive RPI-RP2 at %s\n", r.Drive)
	}
	fmt.Fprintf(stdout, "Wrote %d blocks (%d bytes) to %s in %.1f s\n", r.Blocks, r.Bytes, filepath.Join(r.Drive, flash.PicoFile), r.Copy.Seconds())
	if r.Port != "" {
		fmt.Fprintf(stdout, "Port back: %s after %.1f s\n", r.Port, r.BackWait.Seconds())
	} else {
		fmt.Fprintln(stdout, "No -port to wait for: check the board runs the image")
	}
	return exitOK
}
