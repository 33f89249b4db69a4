package uf2

import (
	"bytes"
	"encoding/binary"
	"testing"
)

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + 1)
	}
	return b
}

func TestEncodeRoundTrip(t *testing.T) {
	tests := []struct {
		name       string
		size       int
		base       uint32
		wantBlocks int
	}{
		{"one byte", 1, RP2040FlashBase, 1},
		{"just under a page", 255, RP2040FlashBase, 1},
		{"one page", 256, RP2040FlashBase, 1},
		{"one page and a byte", 257, RP2040FlashBase, 2},
		{"several pages", 1000, RP2040FlashBase + 0x1000, 4},
		{"unaligned base", 256, RP2040FlashBase + 0x10, 2},
		{"up to the end of flash", 512, RP2040FlashBase + DefaultFlashSize - 512, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bin := pattern(tt.size)
			file, err := Encode(bin, tt.base, FamilyRP2040)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(file) / BlockSize; got != tt.wantBlocks || len(file)%BlockSize != 0 {
				t.Fatalf("file of %d bytes, want %d blocks", len(file), tt.wantBlocks)
			}
			blocks, err := Parse(file)
			if err != nil {
				t.Fatal(err)
			}
			for i, b := range blocks {
				if b.Flags != FlagFamilyID || b.Family != FamilyRP2040 || b.PayloadSize != Payload ||
					b.BlockNo != uint32(i) || b.NumBlocks != uint32(len(blocks)) || b.Addr%Payload != 0 {
					t.Errorf("block %d: %+v", i, b)
				}
				if !allZero(b.Data[Payload:]) {
					t.Errorf("block %d: data room after the payload is not zero", i)
				}
			}
			im, err := Validate(file, RP2040)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := im.Read(tt.base, len(bin))
			if !ok || !bytes.Equal(got, bin) {
				t.Fatalf("image at 0x%08x does not give the binary back", tt.base)
			}
			if im.Size() != tt.wantBlocks*Payload {
				t.Errorf("image size %d, want %d", im.Size(), tt.wantBlocks*Payload)
			}
			// The padding of the last page is zero.
			last := im.Chunks[len(im.Chunks)-1]
			if pad := last.Data[uint64(tt.base)+uint64(len(bin))-uint64(last.Addr):]; !allZero(pad) {
				t.Errorf("last page padding %x, want zeros", pad)
			}
		})
	}
}

func TestEncodeRefuses(t *testing.T) {
	if _, err := Encode(nil, RP2040FlashBase, FamilyRP2040); err == nil {
		t.Error("empty image: no error")
	}
	if _, err := Encode(make([]byte, 512), 0xffffff00, FamilyRP2040); err == nil {
		t.Error("image past 4 GiB: no error")
	}
}

func TestEncodeLayout(t *testing.T) {
	file, err := Encode([]byte{0xaa}, RP2040FlashBase, FamilyRP2040)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	want := []struct {
		off int
		val uint32
	}{
		{0, 0x0A324655}, {4, 0x9E5D5157}, {8, 0x2000}, {12, 0x10000000},
		{16, 256}, {20, 0}, {24, 1}, {28, 0xe48bff56}, {508, 0x0AB16F30},
	}
	for _, w := range want {
		if got := le.Uint32(file[w.off:]); got != w.val {
			t.Errorf("offset %d: 0x%08x, want 0x%08x", w.off, got, w.val)
		}
	}
	if file[32] != 0xaa || !allZero(file[33:508]) {
		t.Error("data is not the byte followed by zeros")
	}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
