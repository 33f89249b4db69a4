//go:build tinygo && (esp32c3 || gatomqtt_qemu)

// Command esp32c3 is the GatoMQTT firmware for ESP32-C3 boards: the
// firmware core (boards/firmware) on the chip's built-in USB-Serial/JTAG
// (303A:1001, TinyGo's machine.Serial for this target), with a plain LED
// on GPIO8 as a heartbeat (boards whose GPIO8 drives an addressable RGB
// LED leave it dark). The USB-Serial/JTAG takes 64 bytes per write.
//
//	tinygo flash -target=esp32c3 ./boards/esp32c3
//	tinygo build -target=esp32c3 -o esp32c3.bin ./boards/esp32c3
//
// The same firmware runs on QEMU's riscv32 virt machine, standing in for
// the chip where there is none (chip_qemu.go: its NS16550 UART, its clock,
// its entropy device; qemu.ld holds it to the chip's RAM):
//
//	tinygo build -target=boards/esp32c3/qemu.json -o esp32c3-qemu.elf ./boards/esp32c3
//	qemu-system-riscv32 -machine virt -bios none -device virtio-rng-device \
//	    -display none -monitor none -serial tcp:127.0.0.1:PORT -kernel esp32c3-qemu.elf
package main

import (
	"cmp"
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
	port, maxWrite := serialPort(p.Baud)
	led := heartbeat()
	line := firmware.NewPortLine(port, 200*time.Microsecond, maxWrite)
	core, err := firmware.Start(line, p, firmware.Options{
		Version: version, BuildID: firmware.StampedID(buildID), Platform: platform, Epoch: epoch(), Reset: reset,
	})
	blink := 500 * time.Millisecond
	if err != nil {
		blink = 50 * time.Millisecond // the limits do not fit: say so with the LED
	} else {
		core.Log("gatomqtt " + version + " on " + p.Chip)
	}
	for on := true; ; on = !on {
		led(on)
		time.Sleep(blink)
	}
}
