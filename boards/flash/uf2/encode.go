package uf2

import (
	"fmt"
	"sort"
)

// A Chunk is a run of bytes at a flash address.
type Chunk struct {
	Addr uint32
	Data []byte
}

// End returns the address just past the chunk.
func (c Chunk) End() uint64 { return uint64(c.Addr) + uint64(len(c.Data)) }

// Encode returns the UF2 file that writes image to flash at base, for the
// given family. Each block carries a 256-byte payload at a 256-aligned
// address, with the family ID flag set, sequential block numbers and the
// total count in every block. Bytes of the first and last 256-byte page
// not covered by image (when base or the end is not aligned) are zero.
func Encode(image []byte, base, family uint32) ([]byte, error) {
	if len(image) == 0 {
		return nil, fmt.Errorf("uf2: empty image")
	}
	return encodeChunks([]Chunk{{Addr: base, Data: image}}, family)
}

// encodeChunks lays the chunks out in 256-byte pages and writes one block
// per page touched, in address order. Chunks must not overlap.
func encodeChunks(chunks []Chunk, family uint32) ([]byte, error) {
	pages := map[uint32]*[Payload]byte{}
	for _, c := range chunks {
		if c.End() > 1<<32 {
			return nil, fmt.Errorf("uf2: %d bytes at 0x%08x run past the 32-bit address space", len(c.Data), c.Addr)
		}
		for off := 0; off < len(c.Data); {
			addr := c.Addr + uint32(off)
			page := addr &^ (Payload - 1)
			p := pages[page]
			if p == nil {
				p = new([Payload]byte)
				pages[page] = p
			}
			off += copy(p[addr-page:], c.Data[off:])
		}
	}
	addrs := make([]uint32, 0, len(pages))
	for a := range pages {
		addrs = append(addrs, a)
	}
	sort.Slice(addrs, func(i, j int) bool { return addrs[i] < addrs[j] })

	out := make([]byte, len(addrs)*BlockSize)
	for i, a := range addrs {
		b := Block{
			Flags:       FlagFamilyID,
			Addr:        a,
			PayloadSize: Payload,
			BlockNo:     uint32(i),
			NumBlocks:   uint32(len(addrs)),
			Family:      family,
		}
		copy(b.Data[:], pages[a][:])
		b.put(out[i*BlockSize : (i+1)*BlockSize])
	}
	return out, nil
}
