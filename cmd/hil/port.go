package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"go.bug.st/serial"

	"github.com/gatomqtt/gatomqtt/boards/rfc2217"
)

// A port is a serial line whose modem lines hil can drive: a local device
// or an RFC 2217 port of a board farm.
type port interface {
	io.ReadWriteCloser
	SetDTR(on bool) error
	SetRTS(on bool) error
}

// openPort opens a serial device at baud, or the RFC 2217 port at
// rfc2217://host:port and sets its baud rate.
func openPort(ctx context.Context, name string, baud int) (port, error) {
	if addr, ok := strings.CutPrefix(name, "rfc2217://"); ok {
		p, err := rfc2217.Dial(ctx, addr)
		if err != nil {
			return nil, fmt.Errorf("opening %s: %w", name, err)
		}
		if _, err := p.SetBaudRate(ctx, baud); err != nil {
			p.Close()
			return nil, fmt.Errorf("setting %s to %d baud: %w", name, baud, err)
		}
		return p, nil
	}
	p, err := serial.Open(name, &serial.Mode{BaudRate: baud})
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", name, err)
	}
	return p, nil
}

// A step of a reset sequence: the modem lines, then a pause.
type step struct {
	dtr, rts bool
	hold     time.Duration
}

// Reset sequences into the ESP32-C3's ROM loader and back to the
// application (../shared facts: on a USB-UART bridge DTR drives GPIO9 and
// RTS drives EN; the built-in USB-Serial/JTAG takes its own sequence).
var resets = map[string][]step{
	"classic": {{false, true, 100 * time.Millisecond}, {true, false, 50 * time.Millisecond}, {false, false, 0}},
	"usb-jtag": {
		{false, false, 100 * time.Millisecond}, {true, false, 100 * time.Millisecond},
		{false, true, 100 * time.Millisecond}, {false, false, 0},
	},
	"none": nil,
}

// hardReset holds EN low (RTS) for 100 ms, so the board runs its image.
var hardReset = []step{{false, true, 100 * time.Millisecond}, {false, false, 0}}

// drive plays a sequence of modem-line steps on p. The pauses are the
// board's timing, not synchronisation.
func drive(ctx context.Context, p port, seq []step) error {
	for _, s := range seq {
		if err := p.SetDTR(s.dtr); err != nil {
			return fmt.Errorf("setting DTR: %w", err)
		}
		if err := p.SetRTS(s.rts); err != nil {
			return fmt.Errorf("setting RTS: %w", err)
		}
		if s.hold > 0 {
			select {
			case <-time.After(s.hold):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return nil
}
