// Command hil flashes and inspects the boards the conformance suites run
// against, as esptool and TinyGo's flash do, natively in Go.
//
//	hil boards
//	hil flash -port /dev/ttyUSB0 build/esp32c3.bin
//	hil flash -port rfc2217://farm.local:4000 -reset usb-jtag build/esp32c3.bin
//	hil flash -port /dev/ttyACM0 build/pico.uf2
//	hil flash -board pico -port rfc2217://farm.local:4001 -drive /mnt/farm/RPI-RP2 build/pico.elf
//
// flash takes the board from -board (pico or esp32c3) or, without it,
// from the image: a UF2 or ELF file is for the pico, an ESP application
// image (magic 0xE9) for the esp32c3; a raw .bin for the pico needs
// -board pico. -port takes a serial device or an RFC 2217 address
// (rfc2217://host:port, as ser2net serves a board farm's ports).
//
// For the esp32c3, flash checks the image (an ESP32-C3 application image:
// magic, chip id, segments, checksum, SHA-256) before it touches the
// port, resets the board into its ROM loader by DTR/RTS, writes the image
// compressed, has the ROM read it back and compares MD5s, then resets the
// board to run it.
//
// For the pico, flash turns the image into UF2 (an ELF's loadable
// segments, a .bin at the start of flash) and checks it as the RP2040
// bootrom does before it touches the port, resets the board into BOOTSEL
// with the 1200-baud touch (skipped if the RPI-RP2 drive is there
// already), copies the file onto the drive and waits for the firmware's
// port to come back, by USB port path on a local port. -drive names
// where the drive is mounted (repeatable); by default it is looked for
// where systems mount it. Without -port, -board pico flashes a board
// already in BOOTSEL.
//
// boards lists the USB serial ports with their VID:PID, serial number and
// USB port path, and the board each identity suggests (package discover).
//
// Exit status: 0 done, 1 the board or the image refused (the message says
// which and why), 2 bad usage.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole command but for signals and os.Exit, so tests drive it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "flash":
		return runFlash(ctx, args[1:], stdout, stderr)
	case "boards":
		return runBoards(args[1:], stdout, stderr)
	case "monitor":
		return runMonitor(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "hil: unknown command %q\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: hil <command> [flags]

commands:
  boards  list the USB serial ports and the boards their USB identities suggest
  flash   write a firmware image to a board through its boot loader: the ESP32-C3's
          ROM loader (verified by MD5) or the Pico's RPI-RP2 drive (UF2, ELF or .bin)
`)
}
