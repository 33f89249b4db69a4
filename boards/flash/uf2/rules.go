package uf2

import (
	"fmt"
	"sort"
)

// RP2040 flash layout.
const (
	RP2040FlashBase  = 0x10000000 // XIP flash as the bootrom addresses it
	DefaultFlashSize = 2 << 20    // flash on a Raspberry Pi Pico
)

// Rules say which blocks a bootloader accepts.
type Rules struct {
	Family    uint32 // required family ID
	FlashBase uint32 // first flash address
	FlashSize uint32 // flash size in bytes; zero means DefaultFlashSize
}

// RP2040 are the rules of the RP2040 bootrom on a Pico with 2 MiB of flash.
var RP2040 = Rules{Family: FamilyRP2040, FlashBase: RP2040FlashBase, FlashSize: DefaultFlashSize}

func (r Rules) size() uint64 {
	if r.FlashSize == 0 {
		return DefaultFlashSize
	}
	return uint64(r.FlashSize)
}

// end returns the address just past flash.
func (r Rules) end() uint64 { return uint64(r.FlashBase) + r.size() }

// An Image is the flash contents a UF2 file writes.
type Image struct {
	Family uint32
	Blocks int     // number of blocks in the file
	Chunks []Chunk // contiguous runs, in address order
}

// Size returns the number of bytes the image writes.
func (im *Image) Size() int {
	n := 0
	for _, c := range im.Chunks {
		n += len(c.Data)
	}
	return n
}

// Read returns n bytes at addr, and false if any of them is not written.
func (im *Image) Read(addr uint32, n int) ([]byte, bool) {
	for _, c := range im.Chunks {
		if addr >= c.Addr && uint64(addr)+uint64(n) <= c.End() {
			off := addr - c.Addr
			return c.Data[off : off+uint32(n)], true
		}
	}
	return nil, false
}

// Validate decodes a UF2 file and checks it as the RP2040 bootrom does,
// against r: every block has the family ID flag and r.Family, has the
// not-main-flash flag clear, carries exactly 256 bytes at a 256-aligned
// address inside flash, and every block gives the same total count, with
// block numbers 0..n-1 each used once and no address written twice. It
// returns the flash contents the file writes.
func Validate(data []byte, r Rules) (*Image, error) {
	if r.size() < Payload || r.end() > 1<<32 {
		return nil, fmt.Errorf("uf2: flash of %d bytes at 0x%08x is not a usable range", r.size(), r.FlashBase)
	}
	blocks, err := Parse(data)
	if err != nil {
		return nil, err
	}
	total := blocks[0].NumBlocks
	if int64(total) != int64(len(blocks)) {
		return nil, fmt.Errorf("uf2: block 0: total count %d, but the file holds %d blocks", total, len(blocks))
	}
	seen := make([]bool, len(blocks))
	byAddr := make(map[uint32]int, len(blocks))
	for i := range blocks {
		b := &blocks[i]
		if err := r.check(i, b); err != nil {
			return nil, err
		}
		if b.NumBlocks != total {
			return nil, fmt.Errorf("uf2: block %d: total count %d, block 0 says %d", i, b.NumBlocks, total)
		}
		if b.BlockNo >= total {
			return nil, fmt.Errorf("uf2: block %d: block number %d out of range 0..%d", i, b.BlockNo, total-1)
		}
		if seen[b.BlockNo] {
			return nil, fmt.Errorf("uf2: block %d: block number %d used twice", i, b.BlockNo)
		}
		seen[b.BlockNo] = true
		if j, dup := byAddr[b.Addr]; dup {
			return nil, fmt.Errorf("uf2: block %d: address 0x%08x already written by block %d", i, b.Addr, j)
		}
		byAddr[b.Addr] = i
	}

	order := make([]int, len(blocks))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(i, j int) bool { return blocks[order[i]].Addr < blocks[order[j]].Addr })
	im := &Image{Family: r.Family, Blocks: len(blocks)}
	for _, i := range order {
		b := &blocks[i]
		if n := len(im.Chunks); n > 0 && im.Chunks[n-1].End() == uint64(b.Addr) {
			im.Chunks[n-1].Data = append(im.Chunks[n-1].Data, b.Payload()...)
			continue
		}
		im.Chunks = append(im.Chunks, Chunk{Addr: b.Addr, Data: append([]byte(nil), b.Payload()...)})
	}
	return im, nil
}

// check applies the per-block rules.
func (r Rules) check(i int, b *Block) error {
	switch {
	case b.Flags&FlagFamilyID == 0:
		return fmt.Errorf("uf2: block %d: flags 0x%08x lack 0x%04x (family ID present); the bootrom ignores such blocks", i, b.Flags, FlagFamilyID)
	case b.Family != r.Family:
		return fmt.Errorf("uf2: block %d: family 0x%08x%s, want 0x%08x%s", i, b.Family, familyName(b.Family), r.Family, familyName(r.Family))
	case b.Flags&FlagNotMainFlash != 0:
		return fmt.Errorf("uf2: block %d: flag 0x%x (not main flash) is set; the bootrom skips such blocks", i, FlagNotMainFlash)
	case b.PayloadSize != Payload:
		return fmt.Errorf("uf2: block %d: payload size %d, the RP2040 bootrom takes only %d", i, b.PayloadSize, Payload)
	case b.Addr%Payload != 0:
		return fmt.Errorf("uf2: block %d: address 0x%08x is not %d-aligned", i, b.Addr, Payload)
	case uint64(b.Addr) < uint64(r.FlashBase) || uint64(b.Addr)+Payload > r.end():
		return fmt.Errorf("uf2: block %d: address 0x%08x outside flash 0x%08x..0x%08x", i, b.Addr, r.FlashBase, r.end())
	}
	return nil
}

func familyName(f uint32) string {
	switch f {
	case FamilyRP2040:
		return " (RP2040)"
	case FamilyESP32C3:
		return " (ESP32-C3)"
	}
	return ""
}
