// Package boardtarget makes boards harness targets: the firmware core
// reached over a serial line, whatever is at the other end of it.
//
//	twin:pico, twin:esp32c3            the board's Go twin (cmd/gatomqtt-twin),
//	                                   started by the target on a pseudo-terminal
//	emulated:pico                      the real Pico image in rp2040js (boards/emulator),
//	                                   firmware=<uf2>, default build/pico.uf2
//	emulated:esp32c3                   the ESP32-C3 firmware built by TinyGo for QEMU's
//	                                   riscv32 virt machine, firmware=<elf>, default
//	                                   build/esp32c3-qemu.elf
//	serial:///dev/ttyACM0?board=pico   a board already running the firmware
//	serial://auto?board=esp32c3        the only port whose USB identity suggests one
//	serial:///dev/ttyACM0?board=auto   the board that port's USB identity suggests
//	serial://auto?board=auto           the only port that looks like any known board
//	rfc2217://farm:4000?board=pico     a board whose port a farm serves over RFC 2217
//
// Flashing: firmware=<image> on a serial:// or rfc2217:// target writes
// the image through the board's own loader on that port before the
// target attaches (package flash: the ESP32-C3's ROM loader after the
// reset sequence reset= names, usb-jtag by default or classic; the Pico's
// 1200-baud touch and its BOOTSEL drive, searched where systems mount it
// or at drive=dir[,dir]), then reopens the port while the board
// re-enumerates; the image is refused when the target is parsed if the
// loader would refuse it. On a twin target, firmware= starts the twin
// with erased flash and its boot ROM served over RFC 2217 (circuit=bridge
// for an ESP32-C3 behind a USB-UART bridge) and flashes it the same way.
// Either way the hello must then report the build id stamped in the image
// (firmware.FindBuildID), or the target fails: the board did not boot
// what was flashed.
//
// serial://auto and board=auto are settled when the target is parsed (the
// board decides what the target declares, before it starts), from the USB
// identities package discover reads: the board must be plugged in by
// then. vidpid=, serial= and usbpath= narrow serial://auto down to one
// port; when several ports still match, the error lists them with what
// tells them apart, and when none does, every port seen and why not.
// The target's name is the resolved one (serial:///dev/ttyACM2?board=esp32c3).
//
// Whatever the line, the target runs the host's end of the serial link
// (boards/link) over it, checks the firmware's hello against the board it
// was told to expect, and serves every MQTT stream as a local TCP endpoint,
// so the suites' clients connect to a board exactly as to any broker. What
// the target declares comes from the hello (the limits the firmware runs
// with) and from the board's profile; Stats asks the firmware for its own
// figures (the TinyGo runtime's on a board, the Go runtime's in a twin),
// and Elapsed the board's own time (target.Clock), emulated time for an
// emulated board.
//
// TLS-PSK: firmware whose hello names a PSK identity serves MQTT over
// TLS-PSK on any stream that opens with a TLS handshake record (the Go
// twins do, through boards/firmware/pskstreams; the TinyGo images cannot
// afford it). The target then listens on a second loopback port whose
// connections also each become a link stream, bytes passed through
// unchanged, so TLS runs end to end between the client and the firmware;
// it declares that port as Endpoints.PSK, with what this project's
// tlspsk server negotiates (fixtures/peers). The hello never carries the
// key: a twin target draws an identity and key and passes them to the
// twin it starts; a serial target needs psk_key=<hex> (and may check
// psk_identity=), and without it declares no TLS-PSK endpoint.
//
// Options, for every scheme: faults=spec (twins only: line faults injected
// in both directions, see boards/linefault), hellotimeout=10s. serial also
// takes board= (required), baud=, psk_key= and psk_identity=, and with
// serial://auto vidpid=, serial= and usbpath=; rfc2217 takes serial's but
// the auto ones.
//
// The package registers its schemes with harness/target from its init
// function; package harness imports it, so every suite accepts them.
//
// Limits: the firmware has no users and no denied topics yet, and the
// TinyGo images no TLS-PSK, so specs needing those are skipped there. A
// board runs one MQTT connection per link stream, TLS-PSK or plain: a
// client beyond the profile's MaxConnections is closed at once.
package boardtarget
