//go:build tinygo && esp32c3

package main

import (
	"device/esp"
	"machine"

	"github.com/gatomqtt/gatomqtt/boards/firmware"
)

// platform is what the hello says runs the firmware.
const platform = "tinygo"

// serialPort is the chip's USB-Serial/JTAG, which takes 64 bytes a write.
func serialPort(baud int) (firmware.Port, int) {
	machine.Serial.Configure(machine.UARTConfig{BaudRate: uint32(baud)})
	return machine.Serial, 64
}

// heartbeat drives the LED on GPIO8.
func heartbeat() func(on bool) {
	led := machine.GPIO8
	led.Configure(machine.PinConfig{Mode: machine.PinOutput})
	return led.Set
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
