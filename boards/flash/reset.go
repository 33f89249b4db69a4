package flash

import (
	"context"
	"fmt"
	"time"
)

// ModemLines is a port whose DTR and RTS lines the host drives: a local
// serial device, or an RFC 2217 port that carries them to a board farm.
type ModemLines interface {
	SetDTR(on bool) error
	SetRTS(on bool) error
}

// A ResetStep sets both modem lines, DTR first, then holds them.
type ResetStep struct {
	DTR, RTS bool
	Hold     time.Duration
}

// A ResetSequence is what a host plays on the modem lines to reset an
// ESP32-C3 into its ROM loader or back to its application. The holds are
// the board's timing (the reset circuit's RC delay), not synchronisation.
type ResetSequence []ResetStep

// The ESP32-C3's reset sequences (../shared reference: on a USB-UART
// bridge DTR drives GPIO9 and RTS drives EN through the two-transistor
// auto-reset circuit; the built-in USB-Serial/JTAG decodes its own
// sequence).
var (
	// ClassicReset enters the ROM loader through a USB-UART bridge.
	ClassicReset = ResetSequence{{false, true, 100 * time.Millisecond}, {true, false, 50 * time.Millisecond}, {false, false, 0}}
	// USBJTAGReset enters the ROM loader through the chip's
	// USB-Serial/JTAG (USB id 303A:1001).
	USBJTAGReset = ResetSequence{
		{false, false, 100 * time.Millisecond}, {true, false, 100 * time.Millisecond},
		{false, true, 100 * time.Millisecond}, {false, false, 0},
	}
	// HardReset holds EN low (RTS) for 100 ms, so that the board runs its
	// application; it works through both kinds of port.
	HardReset = ResetSequence{{false, true, 100 * time.Millisecond}, {false, false, 0}}
)

// ResetSequences names the ways into the ROM loader, as hil's -reset and
// the targets' reset= option take them: "none" is a board already in it.
var ResetSequences = map[string]ResetSequence{
	"classic":  ClassicReset,
	"usb-jtag": USBJTAGReset,
	"none":     nil,
}

// Run plays the sequence on p.
func (s ResetSequence) Run(ctx context.Context, p ModemLines) error {
	for _, st := range s {
		if err := p.SetDTR(st.DTR); err != nil {
			return fmt.Errorf("setting DTR: %w", err)
		}
		if err := p.SetRTS(st.RTS); err != nil {
			return fmt.Errorf("setting RTS: %w", err)
		}
		if st.Hold > 0 {
			t := time.NewTimer(st.Hold)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			}
		}
	}
	return nil
}
