package uf2

import (
	"encoding/binary"
	"strings"
	"testing"
)

// put32 sets the uint32 field at off of block i.
func put32(file []byte, i, off int, v uint32) {
	binary.LittleEndian.PutUint32(file[i*BlockSize+off:], v)
}

func TestValidateRefuses(t *testing.T) {
	tests := []struct {
		name   string
		rules  Rules
		mutate func(f []byte) []byte
		want   string
	}{
		{"empty file", RP2040, func(f []byte) []byte { return nil }, "empty file"},
		{"partial block", RP2040, func(f []byte) []byte { return f[:len(f)-1] }, "not a multiple of the 512-byte block"},
		{"first magic", RP2040, func(f []byte) []byte { put32(f, 1, 0, 0); return f }, "block 1: first magic"},
		{"second magic", RP2040, func(f []byte) []byte { put32(f, 2, 4, 0); return f }, "block 2: second magic"},
		{"final magic", RP2040, func(f []byte) []byte { put32(f, 0, 508, 0); return f }, "block 0: final magic"},
		{"payload past data room", RP2040, func(f []byte) []byte { put32(f, 1, 16, 477); return f }, "block 1: payload size 477, more than the 476"},
		{"payload 476", RP2040, func(f []byte) []byte { put32(f, 2, 16, 476); return f }, "block 2: payload size 476, the RP2040 bootrom takes only 256"},
		{"payload 128", RP2040, func(f []byte) []byte { put32(f, 0, 16, 128); return f }, "block 0: payload size 128"},
		{"no family flag", RP2040, func(f []byte) []byte { put32(f, 1, 8, 0); return f }, "block 1: flags 0x00000000 lack 0x2000"},
		{"other family", RP2040, func(f []byte) []byte { put32(f, 2, 28, FamilyESP32C3); return f }, "block 2: family 0xd42ba06c (ESP32-C3), want 0xe48bff56 (RP2040)"},
		{"not main flash", RP2040, func(f []byte) []byte { put32(f, 0, 8, FlagFamilyID|FlagNotMainFlash); return f }, "block 0: flag 0x1 (not main flash) is set"},
		{"unaligned address", RP2040, func(f []byte) []byte { put32(f, 1, 12, RP2040FlashBase+0x180); return f }, "block 1: address 0x10000180 is not 256-aligned"},
		{"below flash", RP2040, func(f []byte) []byte { put32(f, 0, 12, 0x20000000-0x1000); return f }, "block 0: address 0x1ffff000 outside flash"},
		{"in RAM", RP2040, func(f []byte) []byte { put32(f, 0, 12, 0x20000000); return f }, "block 0: address 0x20000000 outside flash 0x10000000..0x10200000"},
		{"past a smaller flash", Rules{Family: FamilyRP2040, FlashBase: RP2040FlashBase, FlashSize: 512}, func(f []byte) []byte { return f }, "block 2: address 0x10000200 outside flash 0x10000000..0x10000200"},
		{"count differs from file", RP2040, func(f []byte) []byte { return f[:2*BlockSize] }, "block 0: total count 3, but the file holds 2 blocks"},
		{"count differs between blocks", RP2040, func(f []byte) []byte { put32(f, 2, 24, 4); return f }, "block 2: total count 4, block 0 says 3"},
		{"block number out of range", RP2040, func(f []byte) []byte { put32(f, 1, 20, 3); return f }, "block 1: block number 3 out of range 0..2"},
		{"block number twice", RP2040, func(f []byte) []byte { put32(f, 2, 20, 0); return f }, "block 2: block number 0 used twice"},
		{"address twice", RP2040, func(f []byte) []byte { put32(f, 2, 12, RP2040FlashBase); return f }, "block 2: address 0x10000000 already written by block 0"},
		{"unusable rules", Rules{Family: FamilyRP2040, FlashBase: 0xffffff00, FlashSize: 0x1000}, func(f []byte) []byte { return f }, "not a usable range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file, err := Encode(pattern(3*Payload), RP2040FlashBase, FamilyRP2040)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Validate(tt.mutate(file), tt.rules)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestValidateOutOfOrder(t *testing.T) {
	// The bootrom takes blocks in any order; the image is in address order.
	file, err := Encode(pattern(3*Payload), RP2040FlashBase, FamilyRP2040)
	if err != nil {
		t.Fatal(err)
	}
	swapped := append(append(append([]byte(nil), file[2*BlockSize:]...), file[BlockSize:2*BlockSize]...), file[:BlockSize]...)
	im, err := Validate(swapped, RP2040)
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Chunks) != 1 || im.Chunks[0].Addr != RP2040FlashBase || string(im.Chunks[0].Data) != string(pattern(3*Payload)) {
		t.Fatalf("image %+v", im.Chunks)
	}
}

func TestValidateDefaultFlashSize(t *testing.T) {
	r := Rules{Family: FamilyRP2040, FlashBase: RP2040FlashBase}
	file, _ := Encode(pattern(256), RP2040FlashBase+DefaultFlashSize-256, FamilyRP2040)
	if _, err := Validate(file, r); err != nil {
		t.Fatalf("last page of 2 MiB flash: %v", err)
	}
	file, _ = Encode(pattern(256), RP2040FlashBase+DefaultFlashSize, FamilyRP2040)
	if _, err := Validate(file, r); err == nil {
		t.Fatal("page past 2 MiB flash: no error")
	}
}

func FuzzValidate(f *testing.F) {
	good, _ := Encode(pattern(700), RP2040FlashBase, FamilyRP2040)
	f.Add(good)
	f.Add(good[:BlockSize])
	f.Add([]byte{})
	f.Add(make([]byte, BlockSize))
	f.Fuzz(func(t *testing.T, data []byte) {
		im, err := Validate(data, RP2040)
		if err == nil && im.Size() != im.Blocks*Payload {
			t.Fatalf("valid file of %d blocks gives %d bytes", im.Blocks, im.Size())
		}
		Parse(data)
	})
}
