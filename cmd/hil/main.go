// Command hil flashes and inspects the boards the conformance suites run
// against, as esptool and TinyGo's flash do, natively in Go, and runs the
// suites on them.
//
//	hil boards
//	hil monitor -port /dev/ttyACM0 -stats 10s
//	hil run -port /dev/ttyACM0 -board esp32c3 -firmware build/esp32c3.bin
//	hil run -target twin:pico -suites suites/connect -- --label-filter='!slow'
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
// monitor attaches to a board running the firmware as the harness does
// (the link over the port, then the control stream) and prints the
// firmware's hello (board, chip, version, build id, platform), then every
// log line it sends, each with the time it came, until interrupted;
// -stats D also prints the board's statistics every D. -board auto (the
// default) takes the board from the local port's USB identity; an RFC
// 2217 port needs -board. The port is opened with DTR and RTS asserted,
// as the harness opens it, which resets neither board. It exits 1 when
// the port cannot be opened or no hello comes within -hello, saying what
// the line carried instead.
//
// run flashes a board and runs the conformance suites on it: with -port
// and -board it targets serial://P?board=B (rfc2217://host:port?board=B
// for a farm's port; -port auto and -board auto find them, see package
// boardtarget), with -target the target as given. -firmware adds
// firmware=<image> to the target; a board on a port is flashed once,
// before the suites, by starting that target, and a twin in every suite.
// It then runs go tool ginkgo -r over -suites (folders of the module,
// default suites) from the module root with GATOMQTT_REPORT_DIR set to
// -reports (default reports/hil-<time>), passing on the ginkgo flags
// after --, streams ginkgo's output, and prints the JUnit report's path,
// the statement matrix and the memory figures (kept as coverage.txt and
// figures.txt, as ci/suites.sh keeps them) and the time from its start
// to the first spec's, from ginkgo's JSON report. It exits 1 when
// flashing failed (no suite runs) or a spec failed, saying which.
//
// boards lists the USB serial ports with their VID:PID, serial number and
// USB port path, and the board each identity suggests (package discover).
//
// Exit status: 0 done (monitor: interrupted; run: every spec passed), 1
// the board or the image refused, or a spec failed (the message says
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
	case "run":
		return runRun(ctx, args[1:], stdout, stderr)
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
  monitor attach to a board's firmware over its link and print its hello, its log
          lines and (-stats D) its statistics, until interrupted
  run     flash a board (-firmware) and run the conformance suites on it, then print
          the JUnit report, the statement matrix, the memory figures and the time
          to the first spec

run "hil flash -h", "hil monitor -h" or "hil run -h" for their flags.
`)
}
