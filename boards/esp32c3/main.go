//go:build tinygo && esp32c3

// Command esp32c3 is the GatoMQTT firmware for ESP32-C3 boards: the
// firmware core (boards/firmware) on the chip's built-in USB-Serial/JTAG
// (303A:1001, TinyGo's machine.Serial for this target), with a plain LED
// on GPIO8 as a heartbeat (boards whose GPIO8 drives an addressable RGB
// LED leave it dark). The USB-Serial/JTAG takes 64 bytes per write.
//
//	tinygo flash -target=esp32c3 ./boards/esp32c3
//	tinygo build -target=esp32c3 -o esp32c3.bin ./boards/esp32c3
package main

import (
	"cmp"
	"device/esp"
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
	p := &boards.ESP32C3
	machine.Serial.Configure(machine.UARTConfig{BaudRate: uint32(p.Baud)})
	led := machine.GPIO8
	led.Configure(machine.PinConfig{Mode: machine.PinOutput})
	line := firmware.NewPortLine(machine.Serial, 200*time.Microsecond, 64)
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

// epoch draws the link's run name from the chip's random number
// generator, so that the host sees every reboot.
func epoch() uint32 {
	for {
		if n, err := machine.GetRNG(); err == nil && n != 0 {
			return n
		}
	}
}

// reset restarts the chip by a software system reset, first asking the
// ROM to stay in its serial download mode when a bootloader is wanted.
func reset(mode firmware.ResetMode) {
	if mode == firmware.Bootloader {
		esp.RTC_CNTL.SetOPTION1_FORCE_DOWNLOAD_BOOT(1)
	}
	esp.RTC_CNTL.SetOPTIONS0_SW_SYS_RST(1)
	for {
	}
}
