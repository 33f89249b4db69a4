package uf2

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seg is a program header for makeELF.
type seg struct {
	vaddr, paddr uint32
	data         []byte
	memsz        uint32 // if zero, len(data)
}

// makeELF writes a minimal little-endian ELF32 ARM executable holding only
// an ELF header, program headers and the segment data (no sections).
func makeELF(segs []seg) []byte {
	const ehsize, phentsize = 52, 32
	var buf bytes.Buffer
	le := binary.LittleEndian
	hdr := make([]byte, ehsize)
	copy(hdr, "\x7fELF")
	hdr[4], hdr[5], hdr[6] = 1, 1, 1 // ELFCLASS32, ELFDATA2LSB, EV_CURRENT
	le.PutUint16(hdr[16:], 2)        // ET_EXEC
	le.PutUint16(hdr[18:], 40)       // EM_ARM
	le.PutUint32(hdr[20:], 1)        // version
	le.PutUint32(hdr[24:], segs[0].vaddr)
	le.PutUint32(hdr[28:], ehsize) // phoff
	le.PutUint16(hdr[40:], ehsize)
	le.PutUint16(hdr[42:], phentsize)
	le.PutUint16(hdr[44:], uint16(len(segs)))
	buf.Write(hdr)
	off := uint32(ehsize + phentsize*len(segs))
	for _, s := range segs {
		ph := make([]byte, phentsize)
		memsz := s.memsz
		if memsz == 0 {
			memsz = uint32(len(s.data))
		}
		le.PutUint32(ph[0:], 1) // PT_LOAD
		le.PutUint32(ph[4:], off)
		le.PutUint32(ph[8:], s.vaddr)
		le.PutUint32(ph[12:], s.paddr)
		le.PutUint32(ph[16:], uint32(len(s.data)))
		le.PutUint32(ph[20:], memsz)
		le.PutUint32(ph[24:], 6) // RW
		le.PutUint32(ph[28:], 4)
		buf.Write(ph)
		off += uint32(len(s.data))
	}
	for _, s := range segs {
		buf.Write(s.data)
	}
	return buf.Bytes()
}

func TestFromELF(t *testing.T) {
	text := pattern(300)
	data := bytes.Repeat([]byte{0xd0}, 20)
	elfBytes := makeELF([]seg{
		{vaddr: 0x10000000, paddr: 0x10000000, data: text},
		{vaddr: 0x20000000, paddr: 0x10000200, data: data},   // .data: runs in RAM, stored in flash
		{vaddr: 0x20000100, paddr: 0x20000100, memsz: 0x100}, // .bss: nothing to write
	})
	file, err := FromELF(elfBytes, RP2040)
	if err != nil {
		t.Fatal(err)
	}
	im, err := Validate(file, RP2040)
	if err != nil {
		t.Fatal(err)
	}
	if im.Blocks != 3 {
		t.Errorf("%d blocks, want 3", im.Blocks)
	}
	if got, ok := im.Read(0x10000000, len(text)); !ok || !bytes.Equal(got, text) {
		t.Error("text not at 0x10000000")
	}
	if got, ok := im.Read(0x10000200, len(data)); !ok || !bytes.Equal(got, data) {
		t.Error(".data not at its load address 0x10000200")
	}
	if got, _ := im.Read(0x10000000+300, 0x200-300); !allZero(got) {
		t.Error("gap between segments is not zero")
	}
}

func TestFromELFRefuses(t *testing.T) {
	tests := []struct {
		name string
		elf  []byte
		want string
	}{
		{"not an ELF", []byte("hello, world"), "reading ELF"},
		{"RAM segment with data", makeELF([]seg{
			{vaddr: 0x10000000, paddr: 0x10000000, data: pattern(16)},
			{vaddr: 0x20000000, paddr: 0x20000000, data: pattern(16)},
		}), "ELF segment 1: 16 bytes at physical address 0x20000000 lie outside flash"},
		{"past the end of flash", makeELF([]seg{
			{vaddr: 0x101fff00, paddr: 0x101fff00, data: pattern(512)},
		}), "ELF segment 0: 512 bytes at physical address 0x101fff00 lie outside flash"},
		{"overlap", makeELF([]seg{
			{vaddr: 0x10000000, paddr: 0x10000000, data: pattern(64)},
			{vaddr: 0x20000000, paddr: 0x10000020, data: pattern(64)},
		}), "ELF segments at 0x10000000 and 0x10000020 overlap"},
		{"nothing to write", makeELF([]seg{
			{vaddr: 0x20000000, paddr: 0x20000000, memsz: 64},
		}), "no loadable segment with data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromELF(tt.elf, RP2040)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// buildDir is where the firmware build leaves TinyGo output: build/ at the
// module root, or $GATOMQTT_BUILD_DIR.
func buildDir() string {
	if d := os.Getenv("GATOMQTT_BUILD_DIR"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "build")
}

// TestTinyGoPico checks FromELF against the UF2 file TinyGo wrote for the
// same ELF: both must write the same flash. The firmware is not built in
// CI before the tests, so there the test skips.
func TestTinyGoPico(t *testing.T) {
	elfBytes, err1 := os.ReadFile(filepath.Join(buildDir(), "pico.elf"))
	tinygo, err2 := os.ReadFile(filepath.Join(buildDir(), "pico.uf2"))
	if err1 != nil || err2 != nil {
		t.Skipf("no TinyGo pico build in %s (build the firmware first): %v %v", buildDir(), err1, err2)
	}
	want, err := Validate(tinygo, RP2040)
	if err != nil {
		t.Fatalf("TinyGo's pico.uf2: %v", err)
	}
	file, err := FromELF(elfBytes, RP2040)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Validate(file, RP2040)
	if err != nil {
		t.Fatal(err)
	}
	if got.Blocks != want.Blocks || len(got.Chunks) != len(want.Chunks) {
		t.Fatalf("%d blocks in %d chunks, TinyGo wrote %d in %d", got.Blocks, len(got.Chunks), want.Blocks, len(want.Chunks))
	}
	for i := range got.Chunks {
		g, w := got.Chunks[i], want.Chunks[i]
		if g.Addr != w.Addr || !bytes.Equal(g.Data, w.Data) {
			t.Errorf("chunk %d at 0x%08x (%d bytes) differs from TinyGo's at 0x%08x (%d bytes)", i, g.Addr, len(g.Data), w.Addr, len(w.Data))
		}
	}
}
