package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"go.bug.st/serial"

	"github.com/gatomqtt/gatomqtt/boards/flash"
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

// The reset sequences of package flash, by the names -reset takes.
var (
	resets    = flash.ResetSequences
	hardReset = flash.HardReset
)

// drive plays a reset sequence on p.
func drive(ctx context.Context, p port, seq flash.ResetSequence) error { return seq.Run(ctx, p) }

// romBaud is the ESP32-C3 ROM loader's rate after reset.
const romBaud = 115200

// setBaud moves the host's side of p to baud.
func setBaud(ctx context.Context, p port, baud int) error {
	switch p := p.(type) {
	case *rfc2217.Port:
		_, err := p.SetBaudRate(ctx, baud)
		return err
	case serial.Port:
		return p.SetMode(&serial.Mode{BaudRate: baud})
	}
	return fmt.Errorf("the port cannot change its rate")
}
