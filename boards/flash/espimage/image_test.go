package espimage

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type testSeg struct {
	addr uint32
	data []byte
}

// build is Build with the entry point of a TinyGo ESP32-C3 program.
func build(chip Chip, hash bool, segs ...testSeg) []byte {
	chunks := make([]Chunk, len(segs))
	for i, s := range segs {
		chunks[i] = Chunk{s.addr, s.data}
	}
	return Build(chip, 0x40380080, hash, chunks...)
}

func data(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)*3 + seed
	}
	return b
}

func validImage() []byte {
	return build(ESP32C3, true,
		testSeg{0x3c000020, data(100, 1)},
		testSeg{0x3fc88000, data(33, 2)},
		testSeg{0x42000020, data(400, 3)},
	)
}

func TestCheckValid(t *testing.T) {
	for _, tt := range []struct {
		name string
		img  []byte
		size int
	}{
		{"with SHA-256", validImage(), 24 + 3*8 + 100 + 33 + 400 + 11 + 32},
		{"without SHA-256", build(ESP32C3, false, testSeg{0x3fc88000, data(15, 9)}), 48},
		{"segment ends at a multiple of 16", build(ESP32C3, true, testSeg{0x3fc88000, data(16, 9)}), 64 + 32},
		{"empty segment", build(ESP32C3, false, testSeg{0x3fc88000, nil}), 48},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in, err := Check(tt.img, ESP32C3)
			if err != nil {
				t.Fatal(err)
			}
			if in.Size != tt.size || in.Size != len(tt.img) || in.Trailing != 0 {
				t.Fatalf("size %d trailing %d, want %d of %d", in.Size, in.Trailing, tt.size, len(tt.img))
			}
			if in.Chip != ESP32C3 || in.SPIMode != DIO || in.FlashSize != 1 || in.FlashFreq != 0xf || in.Entry != 0x40380080 || in.WPPin != 0xee || in.MaxRevFull != 199 {
				t.Errorf("header decoded as %+v", in)
			}
		})
	}

	in, err := Check(append(validImage(), 0xff, 0xff, 0xff), ESP32C3)
	if err != nil || in.Trailing != 3 {
		t.Fatalf("trailing padding: %v, trailing %d", err, in.Trailing)
	}
	if len(in.Segments) != 3 || in.Segments[2].Addr != 0x42000020 || in.Segments[2].Size != 400 || in.Segments[0].Offset != 32 {
		t.Errorf("segments %+v", in.Segments)
	}
}

func TestCheckRefuses(t *testing.T) {
	valid := validImage()
	seg2 := 24 + 8 + 100 + 8 + 33 // offset of segment 2's header
	csOff := 24 + 3*8 + 100 + 33 + 400 + 10
	tests := []struct {
		name    string
		img     func(b []byte) []byte
		want    error
		message string
	}{
		{"empty", func(b []byte) []byte { return nil }, ErrTruncated, "empty file"},
		{"ELF", func(b []byte) []byte { return []byte("\x7fELF\x01\x01\x01") }, ErrMagic, "magic byte 0x7f, want 0xe9 (this is an ELF file"},
		{"magic", func(b []byte) []byte { b[0] = 0xea; return b }, ErrMagic, "magic byte 0xea, want 0xe9"},
		{"short header", func(b []byte) []byte { return b[:20] }, ErrTruncated, "20 bytes, shorter than the 24-byte header"},
		{"ESP32-S3 image", func(b []byte) []byte { b[offChip] = 9; return b }, ErrChip, "image is for ESP32-S3 (chip id 9), want ESP32-C3 (chip id 5)"},
		{"ESP32 image", func(b []byte) []byte { b[offChip] = 0; return b }, ErrChip, "image is for ESP32 (chip id 0)"},
		{"unknown chip", func(b []byte) []byte { b[offChip+1] = 1; return b }, ErrChip, "image is for unknown chip 261 (chip id 261)"},
		{"hash flag", func(b []byte) []byte { b[offHashAppended] = 2; return b }, ErrFormat, "hash-appended byte 0x02"},
		{"no segments", func(b []byte) []byte { b[1] = 0; return b }, ErrFormat, "0 segments, want 1..16"},
		{"too many segments", func(b []byte) []byte { b[1] = 17; return b }, ErrFormat, "17 segments, want 1..16"},
		{"segment count past the data", func(b []byte) []byte { b[1] = 5; return b }, ErrTruncated, "segment 4 at 0x"},
		{"segment header cut", func(b []byte) []byte { return b[:seg2+4] }, ErrTruncated, "segment 2: header at offset 0x"},
		{"segment data cut", func(b []byte) []byte { return b[:seg2+8+399] }, ErrTruncated, "segment 2 at 0x42000020: 400 bytes from offset 0xb5, but only 399 left"},
		{"segment length huge", func(b []byte) []byte { binary.LittleEndian.PutUint32(b[seg2+4:], 0xffffffff); return b }, ErrTruncated, "segment 2 at 0x42000020: 4294967295 bytes"},
		{"checksum missing", func(b []byte) []byte { return b[:csOff] }, ErrTruncated, "checksum byte at offset"},
		{"checksum", func(b []byte) []byte { b[csOff] ^= 1; return b }, ErrChecksum, "checksum 0x"},
		{"segment data", func(b []byte) []byte { b[seg2+8+17] ^= 0x40; return b }, ErrChecksum, "the segment data gives"},
		{"hash missing", func(b []byte) []byte { return b[:csOff+1+31] }, ErrTruncated, "SHA-256 at offset 0x250 needs 32 bytes, only 31 left"},
		{"hash", func(b []byte) []byte { b[len(b)-1] ^= 1; return b }, ErrHash, "SHA-256 at offset 0x250 is"},
		{"header under the hash", func(b []byte) []byte { b[2] = byte(QIO); return b }, ErrHash, "the image gives"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.img(append([]byte(nil), valid...))
			_, err := Check(b, ESP32C3)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Fatalf("error %q, want it to contain %q", err, tt.message)
			}
		})
	}
}

func TestChipString(t *testing.T) {
	for c, want := range map[Chip]string{ESP32: "ESP32", ESP32S2: "ESP32-S2", ESP32C3: "ESP32-C3", ESP32S3: "ESP32-S3", ESP32C2: "ESP32-C2", ESP32C6: "ESP32-C6", 99: "unknown chip 99"} {
		if got := c.String(); got != want {
			t.Errorf("Chip(%d) = %q, want %q", c, got, want)
		}
	}
}

// TestTinyGoImage checks the image TinyGo built for the ESP32-C3
// firmware. CI does not build the firmware before running the tests, so
// there the test skips; set GATOMQTT_BUILD_DIR to point at a build.
func TestTinyGoImage(t *testing.T) {
	dir := os.Getenv("GATOMQTT_BUILD_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "build")
	}
	img, err := os.ReadFile(filepath.Join(dir, "esp32c3.bin"))
	if err != nil {
		t.Skipf("no TinyGo esp32c3.bin (build the firmware first): %v", err)
	}
	in, err := Check(img, ESP32C3)
	if err != nil {
		t.Fatal(err)
	}
	if !in.HashAppended || in.Trailing != 0 {
		t.Errorf("TinyGo image: hash appended %v, %d trailing bytes", in.HashAppended, in.Trailing)
	}
	t.Logf("%d segments, entry 0x%08x, %v, %d bytes", len(in.Segments), in.Entry, in.SPIMode, in.Size)
}

func FuzzParse(f *testing.F) {
	f.Add(validImage())
	f.Add(build(ESP32C3, false, testSeg{0x3fc88000, data(15, 9)}))
	f.Add([]byte{Magic})
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := Parse(b)
		if err == nil && in.Size+in.Trailing != len(b) {
			t.Fatalf("size %d + trailing %d != %d", in.Size, in.Trailing, len(b))
		}
	})
}
