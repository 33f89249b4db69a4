package uf2

import (
	"bytes"
	"debug/elf"
	"fmt"
	"sort"
)

// FromELF returns the UF2 file that writes the loadable segments of an
// ELF file to flash, for r.Family. Each segment is placed at its physical
// address (its load address, LMA), which is where initialised data lives
// in flash before the startup code copies it to RAM.
//
// Segments with no bytes in the file (.bss, stacks) are skipped. A
// segment with bytes whose physical address lies outside the flash range
// of r is refused: the bootrom could not write it, so the program would
// start without it. Overlapping segments are refused too.
func FromELF(elfBytes []byte, r Rules) ([]byte, error) {
	f, err := elf.NewFile(bytes.NewReader(elfBytes))
	if err != nil {
		return nil, fmt.Errorf("uf2: reading ELF: %w", err)
	}
	defer f.Close()

	var chunks []Chunk
	for i, p := range f.Progs {
		if p.Type != elf.PT_LOAD || p.Filesz == 0 {
			continue
		}
		start, end := p.Paddr, p.Paddr+p.Filesz
		if end < start || start < uint64(r.FlashBase) || end > r.end() {
			return nil, fmt.Errorf("uf2: ELF segment %d: %d bytes at physical address 0x%08x lie outside flash 0x%08x..0x%08x (a RAM-only segment with file data?)", i, p.Filesz, p.Paddr, r.FlashBase, r.end())
		}
		if p.Filesz > uint64(len(elfBytes)) {
			return nil, fmt.Errorf("uf2: ELF segment %d: file size %d is larger than the ELF file", i, p.Filesz)
		}
		data := make([]byte, p.Filesz)
		if _, err := p.ReadAt(data, 0); err != nil {
			return nil, fmt.Errorf("uf2: ELF segment %d: reading %d bytes at file offset 0x%x: %w", i, p.Filesz, p.Off, err)
		}
		chunks = append(chunks, Chunk{Addr: uint32(start), Data: data})
	}
	if len(chunks) == 0 {
		return nil, fmt.Errorf("uf2: ELF has no loadable segment with data")
	}
	sort.Slice(chunks, func(i, j int) bool { return chunks[i].Addr < chunks[j].Addr })
	for i := 1; i < len(chunks); i++ {
		if prev := chunks[i-1]; prev.End() > uint64(chunks[i].Addr) {
			return nil, fmt.Errorf("uf2: ELF segments at 0x%08x and 0x%08x overlap", prev.Addr, chunks[i].Addr)
		}
	}
	return encodeChunks(chunks, r.Family)
}
