package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/boards/bootrom"
	"github.com/gatomqtt/gatomqtt/boards/discover"
	"github.com/gatomqtt/gatomqtt/boards/firmware"
)

// romBoard is a twin with a boot ROM: its port is served over RFC 2217,
// whose modem lines and baud rate reach the chip, and its flash starts
// either holding the twin's own firmware or erased. What the host flashes
// is checked as the chip's ROM checks it; an accepted image boots the Go
// firmware core in its place, reporting the build id stamped in it.
type romBoard struct {
	profile *boards.Profile
	opts    firmware.Options // the twin's own; BuildID is replaced by a flashed image's
	log     *log.Logger
	port    *port
	line    *boardLine

	// The firmware core, when it runs; otherwise the chip is held in
	// reset, in its loader, or halted by its ROM.
	core   *firmware.Core
	resets chan firmware.ResetMode
	// builtIn is true while the flash holds the twin's own firmware: no
	// image was flashed and the twin did not start erased.
	builtIn bool
	epoch   uint32

	chip chipROM
}

// chipROM is the part of a romBoard that is the chip's own.
type chipROM interface {
	portChip
	// events delivers the chip's resets and boots caused by the host.
	events() <-chan romEvent
	// enterLoader starts the ROM's loader (the serial loader on the
	// line, the BOOTSEL drive); it sends evBoot when it is done.
	enterLoader(ctx context.Context)
	// leaveLoader stops it.
	leaveLoader()
	// image is the flashed firmware's build id, or an error saying why
	// the ROM would not run it; flashed is false when nothing was.
	image() (buildID string, flashed bool, err error)
	// refuse does what the ROM does when it finds no image it runs.
	refuse(ctx context.Context, why error)
}

// romEvent is what happened to the chip.
type romEvent int

const (
	evReset    romEvent = iota + 1 // held in reset
	evBoot                         // left reset for the application
	evDownload                     // left reset for the ROM loader
)

var errErased = errors.New("the flash is erased")

// powerOn boots the board as at power-on: the twin's own firmware, or
// with erased flash whatever the ROM does then.
func (b *romBoard) powerOn(ctx context.Context, erased bool) {
	b.builtIn = !erased
	b.boot(ctx)
}

// run follows the chip's events until ctx is done.
func (b *romBoard) run(ctx context.Context) error {
	for {
		var coreDone <-chan struct{}
		if b.core != nil {
			coreDone = b.core.Link.Done()
		}
		select {
		case <-ctx.Done():
			b.halt()
			return nil
		case ev := <-b.chip.events():
			switch ev {
			case evReset:
				b.log.Printf("held in reset")
				b.halt()
			case evBoot:
				b.boot(ctx)
			case evDownload:
				b.halt()
				b.log.Printf("booted into the ROM loader")
				b.chip.enterLoader(ctx)
			}
		case m := <-b.resets:
			b.halt()
			if m == firmware.Bootloader {
				b.log.Printf("the firmware asked for the ROM loader")
				b.chip.enterLoader(ctx)
				continue
			}
			b.log.Printf("the firmware asked for a reboot")
			b.boot(ctx)
		case <-coreDone:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("link stopped: %w", b.core.Link.Err())
		}
	}
}

// halt stops what runs on the line.
func (b *romBoard) halt() {
	b.chip.leaveLoader()
	if b.core != nil {
		b.core.Link.Close()
		b.core = nil
	}
}

// boot runs what the flash holds, as the ROM does when it leaves reset
// for the application: the twin's own firmware, a flashed image's in its
// place, or nothing when the ROM refuses the flash.
func (b *romBoard) boot(ctx context.Context) {
	b.halt()
	opts := b.opts
	id, flashed, err := b.chip.image()
	switch {
	case flashed && err != nil:
		b.log.Printf("the ROM refuses the flash: %v", err)
		b.chip.refuse(ctx, err)
		return
	case flashed:
		opts.BuildID = id
		b.builtIn = false
	case !b.builtIn:
		b.log.Printf("%v", errErased)
		b.chip.refuse(ctx, errErased)
		return
	}
	epoch, err := newEpoch(b.epoch)
	if err != nil {
		b.log.Printf("%v", err)
		return
	}
	b.epoch, opts.Epoch = epoch, epoch
	opts.Reset = func(m firmware.ResetMode) {
		select {
		case b.resets <- m:
		default:
		}
	}
	b.port.setChipBaud(b.profile.Baud)
	core, err := firmware.Start(b.line.attach(), b.profile, opts)
	if err != nil {
		b.log.Printf("start the %s core: %v", b.profile.Name, err)
		return
	}
	b.core = core
	b.log.Printf("core started, epoch %#08x, build id %q", epoch, opts.BuildID)
	core.Log("gatomqtt " + opts.Version + " on " + opts.Platform + " as " + b.profile.Chip)
}

// romFlags are the flags of a twin with a boot ROM.
type romFlags struct {
	addr       string
	erased     bool
	circuit    string
	bootselDir string
}

// serveROMBoard serves a twin with its boot ROM on an RFC 2217 port until
// ctx is done, and returns the exit status. Its contract: once the port
// listens, one line on stdout, rfc2217://host:port.
func serveROMBoard(ctx context.Context, f romFlags, profile *boards.Profile, opts firmware.Options, psk *pskSetup, stdout, stderr io.Writer, logger *log.Logger) int {
	fail := func(status int, format string, a ...any) int {
		fmt.Fprintf(stderr, "gatomqtt-twin: "+format+"\n", a...)
		return status
	}
	if err := servePSK(&opts, profile, psk, stderr, logger); err != nil {
		return fail(2, "%v", err)
	}
	var circuit bootrom.Circuit
	switch f.circuit {
	case "usb-jtag":
		circuit = bootrom.USBSerialJTAG
	case "bridge":
		circuit = bootrom.AutoReset
	default:
		return fail(2, "-circuit %q: want usb-jtag or bridge", f.circuit)
	}
	b := &romBoard{profile: profile, opts: opts, log: logger, resets: make(chan firmware.ResetMode, 1)}
	b.port = newPort(nil, circuit == bootrom.AutoReset && profile.Name == boards.ESP32C3.Name, profile.Baud, logger)
	b.line = newBoardLine(b.port)
	switch profile.Name {
	case boards.ESP32C3.Name:
		b.chip = newESP32C3ROM(circuit, b.port, b.line, logger)
	default:
		dir := f.bootselDir
		if dir == "" {
			var err error
			if dir, err = os.MkdirTemp("", "gatomqtt-twin-RPI-RP2-"); err != nil {
				return fail(1, "a folder for the BOOTSEL drive: %v", err)
			}
			defer os.RemoveAll(dir)
		}
		b.chip = newPicoROM(b.port, dir, logger, stderr)
	}
	b.port.chip = b.chip
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fail(1, "-rfc2217: %v", err)
	}
	// Booted before the port is announced, so that a host finds the
	// board in the state power-on leaves it (a Pico with erased flash in
	// BOOTSEL).
	b.powerOn(ctx, f.erased)
	go b.port.serve(ctx, ln)
	url := "rfc2217://" + ln.Addr().String()
	if remove, err := discover.Announce("", discover.Twin{PID: os.Getpid(), Board: profile.Name, Port: url, Platform: opts.Platform + " with its boot ROM"}); err == nil {
		defer remove()
	} else {
		logger.Printf("%v", err)
	}
	fmt.Fprintln(stdout, url)
	logger.Printf("%s twin with its boot ROM serving RFC 2217 on %s", profile.Name, ln.Addr())
	if err := b.run(ctx); err != nil {
		return fail(1, "%v", err)
	}
	return 0
}
