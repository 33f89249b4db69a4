// Package flash writes firmware to boards through their boot loaders, as
// esptool and TinyGo's flash command do, natively in Go: the ESP32-C3
// through its ROM serial loader (package esprom), with the image checked
// first (package espimage) and the written flash verified by MD5; the
// Raspberry Pi Pico through its RP2040 bootrom's RPI-RP2 drive, with the
// UF2 file checked first as the bootrom checks it (package uf2).
//
// Its job is the sequence and its refusals: an image that is not for the
// chip, or corrupt, is refused before anything is written; a port whose
// chip is not the one the image is for is refused before the flash is
// touched. Putting the ESP32-C3 into its loader (DTR/RTS) and resetting
// it afterwards belong to the port: the caller does them, on a local port
// or over RFC 2217. The Pico's 1200-baud touch and the wait for its port
// to come back are a PicoPort's, for a local port (PicoSerial) or over
// RFC 2217 (PicoRFC2217); Pico finds the drive and copies the file.
//
// Limits: the ESP32-C3 at the ROM loader's speed (no stub, no baud rate
// change). The Pico's drive must be mounted by the system (Pico does not
// mount it) and is found at the usual mount points or those named; the
// bootrom does not say whether it took a file, so success is the
// firmware's port coming back. A Pico whose firmware has no USB CDC must
// be put into BOOTSEL by hand.
package flash
