// Package espimage reads and checks Espressif application images: the
// .bin files that esptool's elf2image and TinyGo write for ESP32-family
// chips, which the ROM bootloader loads from flash.
//
// An image is a 24-byte header (8 bytes, then a 16-byte extended header
// naming the chip), a list of segments (load address, length, data), a
// checksum byte at the end of a 16-byte-aligned footer and, when the
// header says so, a SHA-256 digest of everything before it. [Parse]
// decodes an image and verifies the checksum and digest; [Check] also
// requires the chip the image is built for, so that an ESP32-S3 image is
// not written to an ESP32-C3.
//
// The package does not handle the ESP8266 format (no extended header),
// secure boot signatures or flash encryption, and it does not look inside
// segments (the application descriptor).
package espimage
