// Package boards describes the boards the broker runs on: for each one its
// chip, memory, USB identity, how it is flashed, its serial settings, the
// broker limits and link buffers its firmware runs with, and the memory
// ceilings a release must stay under. A profile is defined here once; the
// firmware (boards/pico, boards/esp32c3), `gatomqtt -profile` and the
// harness's inproc:<board> targets all read it.
//
// The shared board code lives below: boards/link is the serial link and
// boards/firmware the firmware core, both ordinary Go covered by go test.
// The TinyGo entry points in boards/pico and boards/esp32c3 only bind the
// hardware. cmd/gatomqtt-twin runs the same core on the host as a board's
// Go twin, on a pseudo-terminal from boards/pty, with line faults from
// boards/linefault when asked.
package boards
