// Package discover finds boards on USB serial ports and picks one.
//
// List enumerates serial ports with go.bug.st/serial's enumerator, keeps the
// USB ones and classifies each by its USB identity (VID:PID) into a Kind: a
// Pico running the firmware (2E8A:000A), a Pico in its bootrom (2E8A:0003),
// an ESP32-C3's built-in USB-Serial/JTAG (303A:1001), a USB-UART bridge
// (CP210x, CH340, FTDI) that may have an ESP32-C3 devkit behind it, or
// Unknown. A Kind only says what the USB identity suggests: a bridge could
// carry any board, and which board it is can only be confirmed later by the
// firmware's hello.
//
// Identical Picos cannot be told apart by serial number (the bootrom's is
// the same on every chip, TinyGo's firmware sets none), so each port also
// carries its USB port path ("1-1.2": bus 1, hub port 1, port 2), read
// from Linux sysfs by USBPath. The path names the physical socket, so it
// stays the same across replugs and resets as long as the cable does. An
// ESP32-C3's USB-Serial/JTAG serial number is its MAC address and is unique.
//
// Query is the board selection of a target URL (board=auto|pico|esp32c3,
// vidpid=2e8a:000a, serial=…, usbpath=1-1.2), parsed by ParseQuery; Select
// picks the only matching port or returns an error that lists what was
// found and why nothing matched, or the candidates and how to pick one.
// Format prints ports as a table for a "hil boards" listing.
//
// Limits: USB port paths come from Linux sysfs only; on other systems
// USBPath is empty and boards are told apart by serial number. The RP2040
// bootrom normally presents a mass-storage drive and no serial port, so a
// PicoBootloader port only shows up if something presents one with the
// bootrom's identity. The enumerator on Linux gives no product or
// manufacturer string, so none is shown. Nothing here opens a port.
package discover
