package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/flash"
	"github.com/gatomqtt/gatomqtt/boards/flash/espimage"
)

// espOnly are the flags that only the ESP32-C3's ROM loader takes.
var espOnly = []string{"baud", "reset", "offset", "no-compress", "no-reset-after"}

// runFlash is "hil flash".
func runFlash(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hil flash", flag.ContinueOnError)
	fs.SetOutput(stderr)
	board := fs.String("board", "", "the board: pico or esp32c3; empty means the one the image is for (UF2 or ELF: pico, ESP image: esp32c3)")
	portName := fs.String("port", "", "serial `device` or rfc2217://host:port of the board")
	var drives stringList
	fs.Var(&drives, "drive", "pico: a `folder` where the RPI-RP2 drive may be mounted (repeatable; default: where systems mount it)")
	baud := fs.Int("baud", romBaud, "esp32c3: line `rate` to flash at: the ROM loader answers at 115200, then moves to this rate (CHANGE_BAUDRATE)")
	reset := fs.String("reset", "classic", "esp32c3: how to enter the ROM loader: classic (USB-UART bridge), usb-jtag (built-in USB-Serial/JTAG) or none (the board is in it)")
	offset := fs.Uint("offset", 0, "esp32c3: flash `address` of the image")
	raw := fs.Bool("no-compress", false, "esp32c3: send the image uncompressed")
	stay := fs.Bool("no-reset-after", false, "esp32c3: leave the board in its ROM loader")
	timeout := fs.Duration("timeout", 5*time.Minute, "bound on the whole operation")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `usage: hil flash -port <device|rfc2217://host:port> [flags] <image.bin>
       hil flash [-board pico] [-port <device|rfc2217://host:port>] [-drive DIR]... <image.uf2|.elf|.bin>`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	seq, ok := resets[*reset]
	switch {
	case fs.NArg() != 1:
		fs.Usage()
		return exitUsage
	case *board != "" && *board != "pico" && *board != "esp32c3":
		fmt.Fprintf(stderr, "hil flash: unknown -board %q: want pico or esp32c3\n", *board)
		return exitUsage
	case *portName == "" && *board != "pico":
		fmt.Fprintln(stderr, "hil flash: -port is required (a serial device or rfc2217://host:port); only -board pico flashes without one, a board already in BOOTSEL")
		return exitUsage
	case !ok:
		fmt.Fprintf(stderr, "hil flash: unknown -reset %q: want classic, usb-jtag or none\n", *reset)
		return exitUsage
	case *offset > 1<<32-1:
		fmt.Fprintf(stderr, "hil flash: -offset %#x is beyond 32 bits\n", *offset)
		return exitUsage
	}
	image, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "hil flash: %v\n", err)
		return exitFail
	}
	if *board == "" {
		if *board = boardOf(image); *board == "" {
			fmt.Fprintf(stderr, "hil flash: cannot tell the board from %s (neither UF2, ELF nor an ESP image): pass -board pico or -board esp32c3\n", fs.Arg(0))
			return exitUsage
		}
	}
	switch *board {
	case "pico":
		for _, name := range espOnly {
			if set[name] {
				fmt.Fprintf(stderr, "hil flash: -%s is for -board esp32c3, not the pico\n", name)
				return exitUsage
			}
		}
		ctx, cancel := context.WithTimeout(ctx, *timeout)
		defer cancel()
		return flashPico(ctx, *portName, drives, fs.Arg(0), image, stdout, stderr)
	}
	if len(drives) > 0 {
		fmt.Fprintln(stderr, "hil flash: -drive is for -board pico, not the esp32c3")
		return exitUsage
	}
	// Refused before the board is touched.
	if _, err := espimage.Check(image, espimage.ESP32C3); err != nil {
		fmt.Fprintf(stderr, "hil flash: %s: refusing the image: %v\n", fs.Arg(0), err)
		return exitFail
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	p, err := openPort(ctx, *portName, romBaud)
	if err != nil {
		fmt.Fprintf(stderr, "hil flash: %v\n", err)
		return exitFail
	}
	defer p.Close()
	if err := drive(ctx, p, seq); err != nil {
		fmt.Fprintf(stderr, "hil flash: resetting into the ROM loader: %v\n", err)
		return exitFail
	}
	bar := newProgress(stderr, len(image))
	start := time.Now()
	opts := flash.ESP32C3Options{
		Offset:        uint32(*offset),
		Uncompressed:  *raw,
		Progress:      bar.update,
		USBSerialJTAG: *reset == "usb-jtag",
	}
	if *baud != romBaud {
		opts.Baud = *baud
		opts.SetBaud = func(b int) error { return setBaud(ctx, p, b) }
	}
	r, err := flash.ESP32C3(ctx, p, image, opts)
	if err != nil {
		bar.abort()
		fmt.Fprintf(stderr, "hil flash: %s: %v\n", fs.Arg(0), err)
		return exitFail
	}
	elapsed := time.Since(start)
	bar.done()
	fmt.Fprintf(stdout, "Chip is %v; image of %d segments, entry %#x\n", r.Chip, len(r.Image.Segments), r.Image.Entry)
	fmt.Fprintf(stdout, "Wrote %d bytes (%d sent) at %#08x in %.1f s (effective %.1f kbit/s; %.1f s in all)\n",
		len(image), r.Sent, *offset, r.Write.Seconds(), float64(len(image))*8/1000/r.Write.Seconds(), elapsed.Seconds())
	fmt.Fprintf(stdout, "Hash of data verified: %s\n", r.MD5)
	if !*stay {
		if err := drive(ctx, p, hardReset); err != nil {
			fmt.Fprintf(stderr, "hil flash: written and verified, but the hard reset failed: %v\n", err)
			return exitFail
		}
		fmt.Fprintln(stdout, "Hard resetting via RTS pin...")
	}
	return exitOK
}
