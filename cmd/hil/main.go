// Command hil flashes and inspects the boards the conformance suites run
// against, as esptool and TinyGo's flash do, natively in Go.
//
//	hil boards
//	hil flash -port /dev/ttyUSB0 build/esp32c3.bin
//	hil flash -port rfc2217://farm.local:4000 -reset usb-jtag build/esp32c3.bin
//
// flash checks the image (an ESP32-C3 application image: magic, chip id,
// segments, checksum, SHA-256) before it touches the port, resets the
// board into its ROM loader by DTR/RTS, writes the image compressed,
// has the ROM read it back and compares MD5s, then resets the board to
// run it. -port takes a serial device or an RFC 2217 address
// (rfc2217://host:port, as ser2net serves a board farm's ports).
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
  flash   write a firmware image to a board through its ROM loader and verify it
`)
}
