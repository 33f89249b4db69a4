// Package uf2 writes and checks UF2 files, the format a Raspberry Pi Pico
// takes when its RP2040 bootrom shows the RPI-RP2 drive (BOOTSEL mode).
//
// A UF2 file is a run of 512-byte blocks; each block carries one payload
// and the flash address it belongs at. [Encode] turns a flat binary into
// blocks, [FromELF] does the same for the loadable segments of an ELF
// file, and [Validate] decodes a file and applies the acceptance rules of
// the RP2040 bootrom, returning the flash contents it would write.
// [ParseInfo] reads the INFO_UF2.TXT file found on a bootloader drive.
//
// The package follows the RP2040 bootrom, not the whole UF2
// specification: it writes only 256-byte payloads with the family ID
// flag set, and it refuses what that bootrom would ignore (file
// containers, blocks not for main flash, other families, other payload
// sizes). It does not read MD5 checksums or extension tags; it neither
// writes nor requires them. It does no I/O: finding and writing the
// drive is left to the caller.
package uf2
