package uf2

import (
	"encoding/binary"
	"fmt"
)

// Block layout. Every field is a little-endian uint32.
const (
	BlockSize  = 512 // bytes in a block
	MaxPayload = 476 // bytes of data room in a block (32..507)
	Payload    = 256 // payload size this package writes and the RP2040 bootrom takes

	Magic0   = 0x0A324655 // first magic, at offset 0 ("UF2\n")
	Magic1   = 0x9E5D5157 // second magic, at offset 4
	MagicEnd = 0x0AB16F30 // final magic, at offset 508
)

// Flags of a block.
const (
	FlagNotMainFlash   = 0x00000001 // the block is not for main flash
	FlagFileContainer  = 0x00001000 // the block is part of a file, not a flash image
	FlagFamilyID       = 0x00002000 // the family field holds a family ID
	FlagMD5            = 0x00004000 // the data room ends with an MD5 checksum
	FlagExtensionTags  = 0x00008000 // extension tags follow the payload
	knownFlags         = FlagNotMainFlash | FlagFileContainer | FlagFamilyID | FlagMD5 | FlagExtensionTags
	offsetData         = 32
	offsetMagicEnd     = 508
	offsetFamilyOrSize = 28
)

// Family IDs.
const (
	FamilyRP2040  = 0xe48bff56 // Raspberry Pi RP2040
	FamilyESP32C3 = 0xd42ba06c // Espressif ESP32-C3 (its ROM has no UF2 drive)
)

// A Block is one decoded 512-byte UF2 block.
type Block struct {
	Flags       uint32
	Addr        uint32 // flash address of the payload
	PayloadSize uint32 // bytes of Data that are payload
	BlockNo     uint32 // sequence number, from 0
	NumBlocks   uint32 // total number of blocks in the file
	Family      uint32 // family ID if Flags has FlagFamilyID, else file size or 0
	Data        [MaxPayload]byte
}

// Payload returns the payload bytes of b. It is empty if PayloadSize is
// larger than the data room.
func (b *Block) Payload() []byte {
	if b.PayloadSize > MaxPayload {
		return nil
	}
	return b.Data[:b.PayloadSize]
}

// put writes b into dst, which must be BlockSize bytes long.
func (b *Block) put(dst []byte) {
	le := binary.LittleEndian
	le.PutUint32(dst[0:], Magic0)
	le.PutUint32(dst[4:], Magic1)
	le.PutUint32(dst[8:], b.Flags)
	le.PutUint32(dst[12:], b.Addr)
	le.PutUint32(dst[16:], b.PayloadSize)
	le.PutUint32(dst[20:], b.BlockNo)
	le.PutUint32(dst[24:], b.NumBlocks)
	le.PutUint32(dst[offsetFamilyOrSize:], b.Family)
	copy(dst[offsetData:offsetMagicEnd], b.Data[:])
	le.PutUint32(dst[offsetMagicEnd:], MagicEnd)
}

// decodeBlock decodes the block with index i from src, which must be
// BlockSize bytes long. It checks the magics and that the payload fits.
func decodeBlock(i int, src []byte) (Block, error) {
	le := binary.LittleEndian
	var b Block
	if m := le.Uint32(src[0:]); m != Magic0 {
		return b, fmt.Errorf("uf2: block %d: first magic 0x%08x, want 0x%08x", i, m, Magic0)
	}
	if m := le.Uint32(src[4:]); m != Magic1 {
		return b, fmt.Errorf("uf2: block %d: second magic 0x%08x, want 0x%08x", i, m, Magic1)
	}
	if m := le.Uint32(src[offsetMagicEnd:]); m != MagicEnd {
		return b, fmt.Errorf("uf2: block %d: final magic 0x%08x, want 0x%08x", i, m, MagicEnd)
	}
	b.Flags = le.Uint32(src[8:])
	b.Addr = le.Uint32(src[12:])
	b.PayloadSize = le.Uint32(src[16:])
	b.BlockNo = le.Uint32(src[20:])
	b.NumBlocks = le.Uint32(src[24:])
	b.Family = le.Uint32(src[offsetFamilyOrSize:])
	copy(b.Data[:], src[offsetData:offsetMagicEnd])
	if b.PayloadSize > MaxPayload {
		return b, fmt.Errorf("uf2: block %d: payload size %d, more than the %d bytes of data room", i, b.PayloadSize, MaxPayload)
	}
	return b, nil
}

// Parse decodes every block of a UF2 file. It checks only the block
// structure: the length is a whole number of blocks, every block has the
// three magics and a payload that fits. Use [Validate] to check a file
// against what a bootloader accepts.
func Parse(data []byte) ([]Block, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("uf2: empty file")
	}
	if len(data)%BlockSize != 0 {
		return nil, fmt.Errorf("uf2: file size %d is not a multiple of the %d-byte block (%d bytes left over)", len(data), BlockSize, len(data)%BlockSize)
	}
	blocks := make([]Block, 0, len(data)/BlockSize)
	for i := 0; i < len(data)/BlockSize; i++ {
		b, err := decodeBlock(i, data[i*BlockSize:(i+1)*BlockSize])
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, b)
	}
	return blocks, nil
}
