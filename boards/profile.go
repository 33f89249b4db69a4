package boards

import (
	"time"

	"github.com/gatomqtt/gatomqtt/boards/link"
	"github.com/gatomqtt/gatomqtt/broker"
)

// A Profile is everything the project knows about one board.
type Profile struct {
	Name  string // as in targets and flags: "pico", "esp32c3"
	Chip  string // "RP2040", "ESP32-C3"
	SRAM  int    // bytes of on-chip RAM
	Flash int    // bytes of flash on the reference board

	// USB is the identity of the serial port the firmware presents, and
	// FlashMethod how an image reaches the board.
	USB         USBID
	FlashMethod string
	// Baud is the line rate the firmware configures; over USB CDC it is
	// nominal (the host's setting does not pace the bytes).
	Baud int
	// TinyGoTarget is the -target the firmware is built with, and
	// ImageFormat the file the flasher takes (uf2, bin).
	TinyGoTarget, ImageFormat string
	// QEMUTarget, when set, is a TinyGo target (a JSON file in this module,
	// relative to its root) that builds the same firmware for QEMU's
	// riscv32 virt machine, standing in for a chip no emulator here runs:
	// emulated:<board> runs it (boards/emulator).
	QEMUTarget string

	Limits broker.Limits
	Link   link.Config // Epoch is left 0: the firmware draws it at boot
	// StackBytes is the stack of each goroutine; firmware is built with
	// -stack-size set to it, since TinyGo cannot size the stacks of
	// goroutines that call through interfaces and its defaults differ by
	// target (8 KiB for pico, 2 KiB for esp32c3). gatomqtt-firmware proves
	// it enough by running boards/firmware/stackprobe at this size under
	// QEMU: 2 KiB and 3 KiB overflow, 4 KiB holds.
	StackBytes int
	// Goroutines is the most goroutines the firmware runs at once: two
	// per broker connection, the link's two loops, the accept and control
	// loops, and main (which blinks the LED).
	Goroutines int

	Ceilings Ceilings
	// SRAMRegions are the addresses of SRAM: image sections placed there
	// take RAM.
	SRAMRegions []Region
}

// USBID is a USB vendor and product id.
type USBID struct{ VID, PID uint16 }

// Ceilings are the memory figures a firmware build must stay under.
type Ceilings struct {
	// RAMBudget bounds static RAM (the image's data, bss, main stack and
	// code placed in RAM) plus the broker's StateBytes, the link's
	// StateBytes and the goroutine stacks: half of SRAM, so the rest stays
	// free for the heap's fragmentation, the USB stack and what the next
	// release adds.
	RAMBudget int
}

// Region is a range of addresses.
type Region struct{ Start, Size uint64 }

// InSRAM reports whether addr lies in one of the board's SRAM regions.
func (p *Profile) InSRAM(addr uint64) bool {
	for _, r := range p.SRAMRegions {
		if addr >= r.Start && addr-r.Start < r.Size {
			return true
		}
	}
	return false
}

// Pico is the Raspberry Pi Pico: RP2040, 264 KiB SRAM, 2 MiB flash, the
// firmware's serial port on USB CDC.
var Pico = Profile{
	Name: "pico", Chip: "RP2040", SRAM: 264 << 10, Flash: 2 << 20,
	USB:          USBID{0x2E8A, 0x000A},
	FlashMethod:  "1200-baud touch into BOOTSEL, then copy the UF2 to the RPI-RP2 drive",
	Baud:         115200,
	TinyGoTarget: "pico", ImageFormat: "uf2",
	Limits: broker.PicoLimits,
	Link: link.Config{
		Streams: broker.PicoLimits.MaxConnections, Window: 8, MaxPayload: 128, StreamBuffer: 512,
		MinRTO: 20 * time.Millisecond,
	},
	StackBytes:  4 << 10,
	Goroutines:  2*broker.PicoLimits.MaxConnections + 6,
	Ceilings:    Ceilings{RAMBudget: 132 << 10},
	SRAMRegions: []Region{{0x20000000, 264 << 10}},
}

// ESP32C3 is an ESP32-C3 board: 400 KiB SRAM, 4 MiB flash, the firmware's
// serial port on the chip's built-in USB-Serial/JTAG (TinyGo's serial for
// this target), the USB connector of boards such as the ESP32-C3
// SuperMini or XIAO; on boards whose connector goes to a USB-UART bridge
// (ESP32-C3-DevKitM-1) use the chip's other USB pins (GPIO18/19).
var ESP32C3 = Profile{
	Name: "esp32c3", Chip: "ESP32-C3", SRAM: 400 << 10, Flash: 4 << 20,
	USB:          USBID{0x303A, 0x1001},
	FlashMethod:  "ROM serial loader over the USB-Serial/JTAG (reset by DTR/RTS), image written at offset 0",
	Baud:         115200,
	TinyGoTarget: "esp32c3", ImageFormat: "bin", QEMUTarget: "boards/esp32c3/qemu.json",
	Limits: broker.ESP32C3Limits,
	Link: link.Config{
		Streams: broker.ESP32C3Limits.MaxConnections, Window: 8, MaxPayload: 128, StreamBuffer: 512,
		MinRTO: 20 * time.Millisecond,
	},
	StackBytes: 4 << 10,
	Goroutines: 2*broker.ESP32C3Limits.MaxConnections + 5,
	Ceilings:   Ceilings{RAMBudget: 200 << 10},
	// The same SRAM is addressed twice: as data (DRAM) and as code (IRAM).
	SRAMRegions: []Region{{0x3FC80000, 0x60000}, {0x4037C000, 0x64000}},
}

// Profiles lists every board profile.
var Profiles = []*Profile{&Pico, &ESP32C3}

// Lookup returns the profile of the board called name.
func Lookup(name string) (*Profile, bool) {
	for _, p := range Profiles {
		if p.Name == name {
			return p, true
		}
	}
	return nil, false
}

// RuntimeBytes is the memory the firmware takes beyond its image's static
// RAM: broker tables, link buffers and goroutine stacks.
func (p *Profile) RuntimeBytes() (broker, link, stacks int) {
	return brokerStateBytes(p.Limits), p.Link.StateBytes(), p.Goroutines * p.StackBytes
}

// LimitsFor returns the broker limits a profile name stands for wherever
// one is taken (gatomqtt -profile, inproc:<profile> targets): "host" for
// broker.HostLimits, or a board's name.
func LimitsFor(name string) (broker.Limits, bool) {
	if name == "host" {
		return broker.HostLimits, true
	}
	if p, ok := Lookup(name); ok {
		return p.Limits, true
	}
	return broker.Limits{}, false
}
