package discover

import (
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"go.bug.st/serial/enumerator"

	"github.com/gatomqtt/gatomqtt/boards"
)

// Kind is what a port's USB identity suggests is behind it.
type Kind int

const (
	// Unknown is a USB serial port with an identity this package does not
	// know.
	Unknown Kind = iota
	// PicoFirmware is a Pico running the firmware's USB CDC (2E8A:000A).
	PicoFirmware
	// PicoBootloader is a Pico in the RP2040 bootrom (2E8A:0003); its
	// serial number is the same on every chip.
	PicoBootloader
	// ESP32C3USBJTAG is an ESP32-C3's built-in USB-Serial/JTAG (303A:1001);
	// its serial number is the chip's MAC address.
	ESP32C3USBJTAG
	// USBUARTBridge is a CP210x, CH340 or FTDI USB-UART bridge: possibly an
	// ESP32-C3 devkit, confirmed only by the firmware's hello.
	USBUARTBridge
)

// String names the kind for listings.
func (k Kind) String() string {
	switch k {
	case PicoFirmware:
		return "pico"
	case PicoBootloader:
		return "pico (bootloader)"
	case ESP32C3USBJTAG:
		return "esp32c3 (USB-Serial/JTAG)"
	case USBUARTBridge:
		return "USB-UART bridge (unconfirmed)"
	default:
		return "unknown"
	}
}

// Board is the board name the kind identifies ("pico", "esp32c3"), or ""
// when the USB identity does not name a board (bridges, unknown ports).
func (k Kind) Board() string {
	switch k {
	case PicoFirmware, PicoBootloader:
		return boards.Pico.Name
	case ESP32C3USBJTAG:
		return boards.ESP32C3.Name
	default:
		return ""
	}
}

// picoBootrom is the RP2040 bootrom's USB identity in BOOTSEL mode.
var picoBootrom = boards.USBID{VID: 0x2E8A, PID: 0x0003}

// bridges are USB-UART bridges found on ESP32-C3 devkits.
var bridges = []boards.USBID{
	{VID: 0x10C4, PID: 0xEA60}, // Silicon Labs CP210x
	{VID: 0x1A86, PID: 0x7523}, // WCH CH340
	{VID: 0x0403, PID: 0x6001}, // FTDI FT232R
}

// Classify returns the kind a USB identity suggests.
func Classify(vid, pid uint16) Kind {
	id := boards.USBID{VID: vid, PID: pid}
	switch id {
	case boards.Pico.USB:
		return PicoFirmware
	case picoBootrom:
		return PicoBootloader
	case boards.ESP32C3.USB:
		return ESP32C3USBJTAG
	}
	for _, b := range bridges {
		if id == b {
			return USBUARTBridge
		}
	}
	return Unknown
}

// Port is a USB serial port and what its identity suggests.
type Port struct {
	Path     string // device path, e.g. /dev/ttyACM0
	VID, PID uint16
	Serial   string // USB serial number, "" if the device has none
	USBPath  string // USB port path from sysfs, e.g. "1-1.2"; "" off Linux
	Kind     Kind
}

// Board is the board name the port's kind identifies, or "".
func (p Port) Board() string { return p.Kind.Board() }

// VIDPID is the identity as "2e8a:000a".
func (p Port) VIDPID() string { return fmt.Sprintf("%04x:%04x", p.VID, p.PID) }

// Note is a remark for listings: bootloader mode or an unconfirmed bridge.
func (p Port) Note() string {
	switch p.Kind {
	case PicoBootloader:
		return "in bootloader (BOOTSEL) mode, no firmware running"
	case USBUARTBridge:
		return "USB-UART bridge: possibly an esp32c3, confirmed only by the firmware's hello"
	}
	return ""
}

// SysfsRoot is where List reads USB port paths on Linux.
const SysfsRoot = "/sys"

// List returns the USB serial ports, sorted by path, each classified and,
// on Linux, with its USB port path. Non-USB ports are skipped. A port whose
// USB path cannot be read is listed with an empty USBPath.
func List() ([]Port, error) {
	details, err := enumerator.GetDetailedPortsList()
	if err != nil {
		return nil, fmt.Errorf("discover: enumerating serial ports: %w", err)
	}
	return fromDetails(details, runtime.GOOS == "linux", SysfsRoot), nil
}

// fromDetails turns enumerator results into Ports; withSysfs reads USB
// paths below sysRoot.
func fromDetails(details []*enumerator.PortDetails, withSysfs bool, sysRoot string) []Port {
	var ports []Port
	for _, d := range details {
		if d == nil || !d.IsUSB || d.Name == "" {
			continue
		}
		vid, err1 := parseHex16(d.VID)
		pid, err2 := parseHex16(d.PID)
		if err1 != nil || err2 != nil {
			continue // not a usable USB identity
		}
		p := Port{
			Path:   d.Name,
			VID:    vid,
			PID:    pid,
			Serial: strings.TrimSpace(d.SerialNumber),
			Kind:   Classify(vid, pid),
		}
		if withSysfs {
			p.USBPath, _ = USBPath(sysRoot, filepath.Base(d.Name))
		}
		ports = append(ports, p)
	}
	sort.Slice(ports, func(i, j int) bool { return ports[i].Path < ports[j].Path })
	return ports
}

func parseHex16(s string) (uint16, error) {
	s = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "0x")
	if len(s) == 0 || len(s) > 4 {
		return 0, fmt.Errorf("%q is not a 16-bit hex id", s)
	}
	v, err := strconv.ParseUint(s, 16, 16)
	if err != nil {
		return 0, fmt.Errorf("%q is not a 16-bit hex id", s)
	}
	return uint16(v), nil
}
