package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

// Image formats the flashers take, checked after each build so that a
// TinyGo change that writes something else fails here, not on a desk.
const (
	uf2Magic0, uf2Magic1 = 0x0A324655, 0x9E5D5157
	uf2FamilyFlag        = 0x2000
	rp2040Family         = 0xE48BFF56
	espImageMagic        = 0xE9
	esp32c3ChipID        = 5
)

var errImage = errors.New("not the image the board's flasher takes")

// CheckImage checks the header of an image in format ("uf2": RP2040 UF2
// blocks with the family id; "bin": an ESP image for chip id chip).
func CheckImage(path, format string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	switch format {
	case "uf2":
		if len(b) < 512 || len(b)%512 != 0 {
			return fmt.Errorf("%s: %w: %d bytes is not a whole number of 512-byte UF2 blocks", path, errImage, len(b))
		}
		le := binary.LittleEndian
		if le.Uint32(b) != uf2Magic0 || le.Uint32(b[4:]) != uf2Magic1 {
			return fmt.Errorf("%s: %w: no UF2 magic", path, errImage)
		}
		if le.Uint32(b[8:])&uf2FamilyFlag == 0 || le.Uint32(b[28:]) != rp2040Family {
			return fmt.Errorf("%s: %w: UF2 family is not the RP2040's", path, errImage)
		}
	case "bin":
		if len(b) < 24 || b[0] != espImageMagic {
			return fmt.Errorf("%s: %w: no ESP image magic 0xE9", path, errImage)
		}
		if chip := binary.LittleEndian.Uint16(b[12:]); chip != esp32c3ChipID {
			return fmt.Errorf("%s: %w: ESP image for chip id %d, not the ESP32-C3's %d", path, errImage, chip, esp32c3ChipID)
		}
	default:
		return fmt.Errorf("%s: unknown image format %q", path, format)
	}
	return nil
}
