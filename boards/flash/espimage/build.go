package espimage

import (
	"crypto/sha256"
	"encoding/binary"
)

// A Chunk is data to be loaded at Addr, one segment of an image.
type Chunk struct {
	Addr uint32
	Data []byte
}

// Build assembles an image for chip, as a toolchain writes one: the
// header (DIO, 2 MB at 80 MHz, entry, write-protect pin disabled, any
// chip revision up to 1.99), the segments in order, the padding, the
// checksum and, when hash is set, the SHA-256 of all that. It is for
// tests and for emulated boot loaders that must be handed images.
func Build(chip Chip, entry uint32, hash bool, segments ...Chunk) []byte {
	le := binary.LittleEndian
	img := make([]byte, HeaderSize)
	img[0] = Magic
	img[1] = byte(len(segments))
	img[2] = byte(DIO)
	img[3] = 0x1f // 2 MB, 80 MHz
	le.PutUint32(img[4:], entry)
	img[8] = 0xee // no write-protect pin
	le.PutUint16(img[offChip:], uint16(chip))
	le.PutUint16(img[offMaxRevFull:], 199)
	if hash {
		img[offHashAppended] = 1
	}
	sum := byte(ChecksumSeed)
	for _, s := range segments {
		img = le.AppendUint32(img, s.Addr)
		img = le.AppendUint32(img, uint32(len(s.Data)))
		img = append(img, s.Data...)
		for _, b := range s.Data {
			sum ^= b
		}
	}
	for len(img)%16 != 15 {
		img = append(img, 0)
	}
	img = append(img, sum)
	if hash {
		h := sha256.Sum256(img)
		img = append(img, h[:]...)
	}
	return img
}
