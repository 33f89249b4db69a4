// Command gatomqtt-twin is the Go twin of a board: the firmware core
// (boards/firmware) with a board profile's broker limits and link
// config, served on a pseudo-terminal instead of a USB serial port, so
// that the host side (harness, tools) can be tested against a board
// without one.
//
//	gatomqtt-twin -board pico|esp32c3 [-faults spec]
//	              [-psk] [-psk-identity id] [-psk-key hex] [-v]
//	gatomqtt-twin -board pico|esp32c3 -rfc2217 host:port [-erased]
//	              [-circuit usb-jtag|bridge] [-bootsel-dir dir] [...]
//
// # Contract
//
// Once the core is serving, the twin prints the pty's slave path (such
// as /dev/pts/3) as one line on stdout and prints nothing else there.
// The host opens that path as it opens a board's port; with
// go.bug.st/serial:
//
//	serial.Open(path, &serial.Mode{BaudRate: 115200})
//
// leaving Mode.InitialStatusBits nil (see boards/pty). The twin serves
// until SIGINT or SIGTERM, then closes the pty and exits 0. It exits 1
// when the pty cannot be made or the link fails under it, and 2 on bad
// flags; the reason goes to stderr. With -v it also logs what it does to
// stderr (starts, resets, the fault spec in full for a replay).
//
// # With its boot ROM
//
// With -rfc2217 the twin serves the board's port over RFC 2217 on the
// address given (ptys carry no DTR/RTS), one host connection at a time
// as ser2net does, and prints rfc2217://host:port instead of a pty path.
// The port's baud rate and modem lines reach an emulated boot ROM
// (boards/bootrom), so the host flashes the twin as it flashes a board
// (boards/flash, hil flash, firmware= targets):
//
//   - ESP32-C3: DTR/RTS go through the reset circuit -circuit names: the
//     chip's USB-Serial/JTAG (default; unpaced, as USB is) or a USB-UART
//     bridge's auto-reset circuit, whose line is paced at the host's baud
//     rate both ways and loses bytes while the host's rate and the chip's
//     differ. A reset into download mode starts the ROM's serial loader
//     (esprom.Emulator, with a drawn factory MAC) on the line; one into
//     the application checks the flash as the ROM does (bootrom.BootFromFlash)
//     and prints the ROM's complaint when it refuses it.
//   - Pico: the 1200-baud touch (1200 baud with DTR cleared, or a port
//     closed at 1200 baud) reboots into BOOTSEL: the port disappears
//     (connections are closed) and -bootsel-dir, announced on stderr,
//     stands for the RPI-RP2 drive; a UF2 copied there is taken as the
//     bootrom takes it, and the board boots it if boot2's CRC holds,
//     else stays in BOOTSEL.
//
// An image the ROM boots runs the firmware core in its place, reporting
// the build id stamped in the image (firmware.FindBuildID) in its hello.
// Without -erased the flash starts holding the twin's own firmware; with
// it the board boots only what is flashed (an erased Pico sits in
// BOOTSEL). Every running twin announces its port for hil boards
// (discover.Announce).
//
// # What runs
//
// The core is the same code the TinyGo firmware runs, under the host's Go
// runtime: its statistics are the Go runtime's heap figures, and timing
// and memory say nothing about the board. The hello says so in its
// Platform field: "go twin". Each start of the core draws a non-zero
// link epoch from crypto/rand, and Version is the module version from the
// build info ("dev" when there is none). A Reset request from the host
// restarts the core with a new epoch and an empty broker, as a board's
// reboot does: the host's link sees a peer reset. On a pty either mode
// reboots (there is no loader there); with -rfc2217 a Bootloader reset
// enters the ROM's loader (the ESP32-C3's serial loader, the Pico's
// BOOTSEL).
//
// -faults wraps the pty master in boards/linefault with the spec given
// (such as drop=0.001,corrupt=0.001,seed=42), so both directions of the
// line drop, corrupt, duplicate or delay bytes. The pty itself is
// perfect and unpaced: the profile's baud rate is not imitated.
//
// # TLS-PSK
//
// With -psk or -psk-key the twin also serves MQTT over TLS 1.3 with an
// external pre-shared key (broker/tlspsk), as a board with the RAM for it
// would: a link stream whose first byte opens a TLS handshake record
// (0x16) is a TLS-PSK server connection, any other stream plain MQTT
// (boards/firmware/pskstreams). The
// server knows one identity, -psk-identity (default
// gatomqtt-twin-<16 random hex digits>), with the key -psk-key (hex, at
// least 128 bits); with -psk alone the twin draws a 256-bit key and,
// since nothing else could tell it, prints the pair on stderr as one
// line of a psk_file, identity:hexkey. The hello announces the identity
// (Hello.PSKIdentity) but never the key: the host must have it from where
// the twin got it. A key given by flag shows in the process list; that is
// acceptable for a twin, whose keys (boards/boardtarget draws one per
// run) protect nothing but a test.
//
// The server takes psk_dhe_ke (X25519 or P-256, preferred) and psk_ke,
// the GCM, CCM and CCM_8 suites, honours max_fragment_length and
// record_size_limit, and takes records of at most the board's largest
// MQTT packet rounded up to 512, 1024, 2048 or 4096 bytes (512 for the
// Pico, 1024 for the ESP32-C3; see boards/firmware/pskstreams). The TinyGo firmware
// serves no TLS-PSK: the TLS stack would not fit a Pico's RAM.
package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/boards/discover"
	"github.com/gatomqtt/gatomqtt/boards/firmware"
	"github.com/gatomqtt/gatomqtt/boards/firmware/pskstreams"
	"github.com/gatomqtt/gatomqtt/boards/linefault"
	"github.com/gatomqtt/gatomqtt/boards/pty"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run serves a twin until ctx is done and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gatomqtt-twin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	board := fs.String("board", "", "the `board` to stand in for: pico or esp32c3")
	faults := fs.String("faults", "", "line faults in both directions, as `spec` drop=P,corrupt=P,dup=P,delay=P,delaymax=D,seed=N")
	verbose := fs.Bool("v", false, "log to stderr")
	rfcAddr := fs.String("rfc2217", "", "serve the board's port over RFC 2217 on `address` (such as 127.0.0.1:0) instead of a pty, with its boot ROM: modem lines, baud rate and flashing reach the chip")
	erased := fs.Bool("erased", false, "with -rfc2217: start with erased flash instead of the twin's own firmware, so the board runs only what is flashed")
	bootselDir := fs.String("bootsel-dir", "", "with -rfc2217 and -board pico: the `folder` that stands for the BOOTSEL drive RPI-RP2 (default: a new temporary folder, announced on stderr)")
	circuit := fs.String("circuit", "usb-jtag", "with -rfc2217 and -board esp32c3: how DTR/RTS reach the chip, `usb-jtag` (the built-in USB-Serial/JTAG, unpaced) or bridge (a USB-UART bridge's auto-reset circuit, paced at the baud rate)")
	var pskf pskFlags
	fs.BoolVar(&pskf.on, "psk", false, "also serve MQTT over TLS-PSK on streams that open with a TLS handshake (a key is drawn unless -psk-key gives one)")
	fs.StringVar(&pskf.identity, "psk-identity", "", "TLS-PSK `identity` (default: drawn at random)")
	fs.StringVar(&pskf.key, "psk-key", "", "TLS-PSK key as `hex`, 16 bytes or more; implies -psk")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(status int, format string, a ...any) int {
		fmt.Fprintf(stderr, "gatomqtt-twin: "+format+"\n", a...)
		return status
	}
	if fs.NArg() > 0 {
		return fail(2, "unexpected arguments %q", fs.Args())
	}
	profile, ok := boards.Lookup(*board)
	if !ok {
		return fail(2, "-board %q: want pico or esp32c3", *board)
	}
	var faultCfg linefault.Config
	if *faults != "" {
		var err error
		if faultCfg, err = linefault.Parse(*faults); err != nil {
			return fail(2, "-faults: %v", err)
		}
	}
	psk, err := pskf.parse()
	if err != nil {
		return fail(2, "%v", err)
	}
	logw := io.Discard
	if *verbose {
		logw = stderr
	}
	logger := log.New(logw, "gatomqtt-twin: ", log.Lmicroseconds)
	if *rfcAddr != "" {
		if *faults != "" {
			return fail(2, "-faults takes a pty: not with -rfc2217")
		}
		return serveROMBoard(ctx, romFlags{addr: *rfcAddr, erased: *erased, circuit: *circuit, bootselDir: *bootselDir}, profile, twinOptions(), psk, stdout, stderr, logger)
	}
	if *erased {
		return fail(2, "-erased needs -rfc2217: a pty carries no reset to flash through")
	}

	p, err := pty.Open()
	if err != nil {
		return fail(1, "%v", err)
	}
	defer p.Close()
	var line io.ReadWriter = p.Master
	if *faults != "" {
		fl := linefault.Wrap(p.Master, faultCfg)
		defer func() { logger.Printf("line faults: %+v", fl.Stats()) }()
		line = fl
		logger.Printf("line faults: %s", faultCfg)
	}

	opts := twinOptions()
	if err := servePSK(&opts, profile, psk, stderr, logger); err != nil {
		return fail(2, "%v", err)
	}
	resets := make(chan firmware.ResetMode, 1)
	opts.Reset = func(m firmware.ResetMode) {
		select { // one pending reboot is enough
		case resets <- m:
		default:
		}
	}
	t := twin{line: newBoardLine(line), profile: profile, opts: opts, log: logger}
	if err := t.boot(); err != nil {
		return fail(1, "%v", err)
	}
	if remove, err := discover.Announce("", discover.Twin{PID: os.Getpid(), Board: profile.Name, Port: p.SlavePath, Platform: opts.Platform}); err == nil {
		defer remove()
	} else {
		logger.Printf("%v", err)
	}
	fmt.Fprintln(stdout, p.SlavePath)
	logger.Printf("%s twin (%s) serving on %s", profile.Name, opts.Platform, p.SlavePath)
	for {
		select {
		case <-ctx.Done():
			logger.Printf("stopping: %v", context.Cause(ctx))
			t.core.Link.Close()
			return 0
		case m := <-resets:
			logger.Printf("reset requested (mode %d): rebooting", m)
			t.core.Link.Close()
			if err := t.boot(); err != nil {
				return fail(1, "reboot: %v", err)
			}
		case <-t.core.Link.Done():
			if ctx.Err() != nil {
				return 0
			}
			return fail(1, "link stopped: %v", t.core.Link.Err())
		}
	}
}

// twinOptions are the firmware core's options for a twin.
func twinOptions() firmware.Options {
	return firmware.Options{Version: version(), BuildID: buildID(), Platform: "go twin"}
}

// servePSK has the core serve TLS-PSK when the flags ask for it.
func servePSK(opts *firmware.Options, profile *boards.Profile, psk *pskSetup, stderr io.Writer, logger *log.Logger) error {
	if psk == nil {
		return nil
	}
	cfg, err := pskstreams.Config(profile, psk.psk)
	if err != nil {
		return fmt.Errorf("TLS-PSK server for %s: %w", profile.Name, err)
	}
	opts.Streams, opts.PSKIdentity = pskstreams.Hook(cfg), psk.psk.Identity
	if psk.drawn {
		fmt.Fprintf(stderr, "%s", tlspsk.AppendPSKFileLine(nil, psk.psk))
	}
	logger.Printf("TLS-PSK as %q, records of at most %d bytes from clients", psk.psk.Identity, cfg.RecordSizeLimit-1)
	return nil
}

// twin is the board being stood in for: the line it is wired to and the
// firmware core now running on it.
type twin struct {
	line    *boardLine
	profile *boards.Profile
	opts    firmware.Options
	log     *log.Logger
	core    *firmware.Core
}

// boot starts the core on a new run of the line with a new epoch, as a
// board does at power-on and after a reset.
func (t *twin) boot() error {
	var prev uint32
	if t.core != nil {
		prev = t.opts.Epoch
	}
	epoch, err := newEpoch(prev)
	if err != nil {
		return err
	}
	t.opts.Epoch = epoch
	core, err := firmware.Start(t.line.attach(), t.profile, t.opts)
	if err != nil {
		return fmt.Errorf("start the %s core: %w", t.profile.Name, err)
	}
	t.core = core
	t.log.Printf("core started, epoch %#08x", epoch)
	core.Log("gatomqtt " + t.opts.Version + " on " + t.opts.Platform + " as " + t.profile.Chip)
	return nil
}

// newEpoch draws a link epoch: non-zero, as the link requires, and not
// prev, so that the host sees the reboot.
func newEpoch(prev uint32) (uint32, error) {
	var b [4]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			return 0, fmt.Errorf("draw a link epoch: %w", err)
		}
		if e := binary.LittleEndian.Uint32(b[:]); e != 0 && e != prev {
			return e, nil
		}
	}
}

// version is the module version the twin was built from, or "dev".
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// buildID is the VCS revision the twin was built from, when recorded.
func buildID() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			return s.Value[:min(len(s.Value), 12)]
		}
	}
	return ""
}
