// Package flash writes firmware to boards through their boot loaders, as
// esptool and TinyGo's flash command do, natively in Go: the ESP32-C3
// through its ROM serial loader (package esprom), with the image checked
// first (package espimage) and the written flash verified by MD5.
//
// Its job is the sequence and its refusals: an image that is not for the
// chip, or corrupt, is refused before anything is written; a port whose
// chip is not the one the image is for is refused before the flash is
// touched. Putting the board into its loader (DTR/RTS) and resetting it
// afterwards belong to the port: the caller does them, on a local port or
// over RFC 2217.
//
// Limits: the ESP32-C3 only, at the ROM loader's speed (no stub, no baud
// rate change); the Pico's UF2 drive is package uf2's and the caller's.
package flash
