//go:build tinygo && rp2040

// Command pico is the GatoMQTT firmware for the Raspberry Pi Pico: the
// firmware core (boards/firmware) on the board's USB CDC serial port, with
// the on-board LED as a heartbeat. TinyGo's USB CDC keeps its reset into
// BOOTSEL when the host opens the port at 1200 baud.
//
//	tinygo flash -target=pico ./boards/pico
//	tinygo build -target=pico -o pico.uf2 ./boards/pico
package main

import (
	"cmp"
	"machine"
	"time"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/boards/firmware"
)

// Set at build time: -ldflags="-X main.version=v1.0.0 -X main.buildID=<stamp>",
// the build id in a firmware.BuildStamp so that it can be found in the image.
// TinyGo 0.37 ignores -X for a variable that has an initial value, so
// the default version is applied in main.
var version, buildID string

func main() {
	version = cmp.Or(version, "dev")
	p := &boards.Pico
	machine.Serial.Configure(machine.UARTConfig{BaudRate: uint32(p.Baud)})
	led := machine.LED
	led.Configure(machine.PinConfig{Mode: machine.PinOutput})
	line := firmware.NewPortLine(machine.Serial, 200*time.Microsecond, 0)
	core, err := firmware.Start(line, p, firmware.Options{
		Version: version, BuildID: firmware.StampedID(buildID), Platform: "tinygo", Epoch: epoch(), Reset: reset,
	})
	blink := 500 * time.Millisecond
	if err != nil {
		blink = 50 * time.Millisecond // the limits do not fit: say so with the LED
	} else {
		core.Log("gatomqtt " + version + " on " + p.Chip)
	}
	for {
		led.Set(!led.Get())
		time.Sleep(blink)
	}
}

// epoch draws the link's run name from the RP2040's ring-oscillator
// random bits, so that the host sees every reboot.
func epoch() uint32 {
	for {
		if n, err := machine.GetRNG(); err == nil && n != 0 {
			return n
		}
	}
}

func reset(mode firmware.ResetMode) {
	if mode == firmware.Bootloader {
		machine.EnterBootloader()
	}
	machine.CPUReset()
}
