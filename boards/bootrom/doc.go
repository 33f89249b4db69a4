// Package bootrom emulates what a board's boot ROM does between a reset
// and the firmware: the ESP32-C3's reset strapping and serial download
// mode, the RP2040's BOOTSEL drive. The boards' Go twins
// (cmd/gatomqtt-twin) use it so that the host's flashing code
// (boards/flash) runs against them exactly as against hardware.
//
// Its job is the ROM's decisions: which mode a reset sequence selects,
// what an image must look like to be accepted (as the ROM's loader checks
// it) and what is in flash afterwards. It does not run the images it
// accepts: a twin runs its Go firmware core in their place, reporting the
// build id stamped in the image.
package bootrom
