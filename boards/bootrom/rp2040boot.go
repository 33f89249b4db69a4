package bootrom

import (
	"encoding/binary"
	"fmt"

	"github.com/gatomqtt/gatomqtt/boards/firmware"
)

// An RP2040Boot is what the bootrom found in flash when it booted from it.
type RP2040Boot struct {
	BuildID string // stamped in the image (firmware.FindBuildID); "" when none
}

// boot2Size is the second-stage boot loader at the start of flash, whose
// last 4 bytes are the CRC-32 of the first 252 (RP2040 datasheet, 2.8.1).
const boot2Size = 256

// BootRP2040 checks flash (from its first byte, at 0x10000000) as the
// RP2040's bootrom does before it runs it: boot2's CRC-32 must hold, or
// the bootrom falls back to BOOTSEL. The error says why.
func BootRP2040(flash []byte) (RP2040Boot, error) {
	if len(flash) < boot2Size {
		return RP2040Boot{}, fmt.Errorf("bootrom: %d bytes of flash, less than boot2's %d", len(flash), boot2Size)
	}
	stored := binary.LittleEndian.Uint32(flash[boot2Size-4:])
	if sum := boot2CRC(flash[:boot2Size-4]); sum != stored {
		return RP2040Boot{}, fmt.Errorf("bootrom: boot2 CRC-32 is %#08x, the flash holds %#08x: no valid boot2, staying in BOOTSEL", sum, stored)
	}
	var b RP2040Boot
	b.BuildID, _ = firmware.FindBuildID(flash)
	return b, nil
}

// SealBoot2 writes the CRC-32 of boot2's first 252 bytes into its last 4,
// as the SDK's build does, so that the bootrom runs the image; image
// starts at 0x10000000 and holds at least 256 bytes.
func SealBoot2(image []byte) {
	binary.LittleEndian.PutUint32(image[boot2Size-4:], boot2CRC(image[:boot2Size-4]))
}

// boot2CRC is CRC-32 with polynomial 0x04C11DB7, MSB first, initial value
// 0xFFFFFFFF and no final XOR, as the bootrom computes it.
func boot2CRC(b []byte) uint32 {
	c := uint32(0xFFFFFFFF)
	for _, x := range b {
		c ^= uint32(x) << 24
		for range 8 {
			if c&0x80000000 != 0 {
				c = c<<1 ^ 0x04C11DB7
			} else {
				c <<= 1
			}
		}
	}
	return c
}
