package boardtarget

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/boards/firmware"
	"github.com/gatomqtt/gatomqtt/boards/flash"
	"github.com/gatomqtt/gatomqtt/boards/flash/espimage"
	"github.com/gatomqtt/gatomqtt/boards/flash/esprom"
	"github.com/gatomqtt/gatomqtt/boards/flash/uf2"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

// portOpener opens a board's port at a baud rate and names it.
type portOpener func(ctx context.Context, baud int) (io.ReadWriteCloser, string, error)

// boardPort is how a target reaches a board's port: open opens it; pico
// is the same port as the Pico flasher drives it (the 1200-baud touch,
// and finding it again after the board re-enumerates), and reopen opens
// the port the flasher found it at.
type boardPort struct {
	open   portOpener
	pico   func() flash.PicoPort
	reopen func(name string) portOpener
}

// flashing is a firmware= option: the image to write to the board before
// the target attaches, through the board's own loader on the same port.
type flashing struct {
	image string // path
	reset string // ESP32-C3: the name of the reset sequence into the ROM loader
	// drives are the Pico's: where its BOOTSEL drive may be mounted (none:
	// where users' systems mount it).
	drives []string
	// wantBuildID is the build id stamped in the image, which the
	// firmware's hello must then report; "" when the image has none.
	wantBuildID string
	data        []byte
}

// romBaud is the ESP32-C3 ROM loader's rate after reset.
const romBaud = 115200

// readFlashing reads firmware= and reset= for a board p. It returns nil
// when no firmware is to be written.
func readFlashing(o *target.Options, p *boards.Profile) (*flashing, error) {
	path := o.String("firmware", "")
	reset := o.String("reset", "usb-jtag")
	if path == "" {
		return nil, nil
	}
	if _, ok := flash.ResetSequences[reset]; !ok {
		return nil, fmt.Errorf("option reset=%q: want usb-jtag (the ESP32-C3's own USB port), classic (a USB-UART bridge) or none", reset)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("option firmware: %w", err)
	}
	// Refused here, before a target starts anything or resets a board.
	if err := checkImage(p, data); err != nil {
		return nil, fmt.Errorf("option firmware: %s: %w", path, err)
	}
	f := &flashing{image: path, reset: reset, data: data}
	if d := o.String("drive", ""); d != "" {
		f.drives = strings.Split(d, ",")
	}
	f.wantBuildID, _ = firmware.FindBuildID(data)
	return f, nil
}

// checkImage refuses an image the board's loader would refuse.
func checkImage(p *boards.Profile, data []byte) error {
	if p.Name == boards.ESP32C3.Name {
		_, err := espimage.Check(data, espimage.ESP32C3)
		return err
	}
	file, kind, err := flash.PicoUF2(data)
	if err != nil {
		return err
	}
	if _, err := uf2.Validate(file, uf2.RP2040); err != nil {
		return fmt.Errorf("as %s: %w", kind, err)
	}
	return nil
}

// write flashes the image through the board's port, as hil flash does,
// and leaves the board running it. It returns the opener of the port the
// board came back on.
func (f *flashing) write(ctx context.Context, p *boards.Profile, bp boardPort) (portOpener, error) {
	if p.Name == boards.Pico.Name {
		r, err := flash.Pico(ctx, bp.pico(), f.data, flash.PicoOptions{Drives: f.drives})
		if err != nil {
			return nil, fmt.Errorf("flashing %s: %w", f.image, err)
		}
		return bp.reopen(r.Port), nil
	}
	return bp.open, f.writeESP32C3(ctx, bp.open)
}

// writeESP32C3 resets the board into its ROM loader, flashes and
// verifies the image, and resets the board to run it.
func (f *flashing) writeESP32C3(ctx context.Context, open portOpener) error {
	port, what, err := open(ctx, romBaud)
	if err != nil {
		return err
	}
	defer port.Close()
	lines, ok := port.(flash.ModemLines)
	if !ok && f.reset != "none" {
		return fmt.Errorf("flashing %s: %s cannot drive DTR/RTS to reset the board into its ROM loader (put it there by hand and give reset=none)", f.image, what)
	}
	if err := flash.ResetSequences[f.reset].Run(ctx, lines); err != nil {
		return fmt.Errorf("flashing %s: resetting the board on %s into its ROM loader: %w", f.image, what, err)
	}
	if _, err := flash.ESP32C3(ctx, port, f.data, flash.ESP32C3Options{}); err != nil {
		if errors.Is(err, esprom.ErrNoResponse) {
			return fmt.Errorf("flashing %s through %s: %w; %s", f.image, what, err, resetHint[f.reset])
		}
		return fmt.Errorf("flashing %s through %s: %w", f.image, what, err)
	}
	if err := flash.HardReset.Run(ctx, lines); err != nil {
		return fmt.Errorf("flashed %s, but resetting the board on %s to run it failed: %w", f.image, what, err)
	}
	return nil
}

// resetHint says what to try when the ROM loader does not answer after a
// reset sequence.
var resetHint = map[string]string{
	"usb-jtag": "reset=usb-jtag is for the chip's own USB port (303A:1001); behind a USB-UART bridge give reset=classic",
	"classic":  "reset=classic is for a USB-UART bridge's auto-reset circuit; on the chip's own USB port (303A:1001) give reset=usb-jtag",
	"none":     "with reset=none the board must already be in its ROM loader (hold BOOT while pressing RESET)",
}

// check compares the firmware's hello with the flashed image.
func (f *flashing) check(h firmware.Hello, what string) error {
	if f == nil || f.wantBuildID == "" || h.BuildID == f.wantBuildID {
		return nil
	}
	return fmt.Errorf("%s: the firmware reports build %q, but %s was just flashed with build %q: the board did not boot the image", what, h.BuildID, f.image, f.wantBuildID)
}

// reopen opens the port again after a flash, while the board's USB port
// comes back: a board re-enumerates after its reset. It retries within
// ctx until open succeeds.
func reopen(ctx context.Context, open portOpener, baud int) (io.ReadWriteCloser, string, error) {
	wait := 50 * time.Millisecond
	for {
		port, what, err := open(ctx, baud)
		if err == nil {
			return port, what, nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, "", errors.Join(fmt.Errorf("the port did not come back after flashing: %w", ctx.Err()), err)
		case <-t.C:
		}
		wait = min(2*wait, time.Second)
	}
}
