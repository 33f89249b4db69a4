package espimage

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// Layout of an image.
const (
	Magic           = 0xE9 // first byte of every image
	HeaderSize      = 24   // 8-byte header and 16-byte extended header
	SegHeaderSize   = 8    // load address and length
	MaxSegments     = 16   // the most segments the bootloader loads
	ChecksumSeed    = 0xEF // the checksum is this XOR every segment data byte
	HashSize        = sha256.Size
	offChip         = 12 // extended header byte 4: chip ID (2 bytes)
	offMinRev       = 14 // byte 6: minimum revision (deprecated)
	offMinRevFull   = 15 // bytes 7-8: minimum revision, major*100+minor
	offMaxRevFull   = 17 // bytes 9-10: maximum revision, major*100+minor
	offHashAppended = 23 // byte 15: 1 if a SHA-256 digest follows the checksum
)

// Errors a check can fail with; the returned errors wrap one of these
// with the details.
var (
	ErrMagic     = errors.New("not an ESP image")
	ErrChip      = errors.New("image is for another chip")
	ErrTruncated = errors.New("image is truncated")
	ErrFormat    = errors.New("malformed image")
	ErrChecksum  = errors.New("checksum mismatch")
	ErrHash      = errors.New("SHA-256 mismatch")
)

// A Segment is one segment of an image.
type Segment struct {
	Addr   uint32 // load address
	Size   uint32 // bytes of data
	Offset int    // file offset of the data
}

// Info describes a checked image.
type Info struct {
	SPIMode      SPIMode
	FlashSize    byte // high nibble of header byte 3; chip-specific code (ESP32-C3: 0 = 1 MB ... 4 = 16 MB)
	FlashFreq    byte // low nibble of header byte 3; chip-specific code
	Entry        uint32
	WPPin        byte
	SPIPinDrive  [3]byte
	Chip         Chip
	MinRev       byte   // deprecated single-byte minimum revision
	MinRevFull   uint16 // minimum chip revision, major*100 + minor
	MaxRevFull   uint16 // maximum chip revision, major*100 + minor
	HashAppended bool
	Segments     []Segment
	Checksum     byte
	Hash         [HashSize]byte // the appended SHA-256, if HashAppended
	Size         int            // bytes of the image, through the checksum and digest
	Trailing     int            // bytes after the image (such as 0xFF padding read back from flash)
}

// Parse decodes an image and verifies its checksum and, if the header
// says one is appended, its SHA-256 digest. Bytes after the image are
// allowed and counted in Info.Trailing.
func Parse(image []byte) (Info, error) { return parse(image, nil) }

// Check is Parse that also requires the image to be built for wantChip.
func Check(image []byte, wantChip Chip) (Info, error) { return parse(image, &wantChip) }

func parse(image []byte, wantChip *Chip) (Info, error) {
	var in Info
	le := binary.LittleEndian
	if len(image) == 0 {
		return in, fmt.Errorf("espimage: empty file: %w", ErrTruncated)
	}
	if image[0] != Magic {
		hint := ""
		if bytes.HasPrefix(image, []byte("\x7fELF")) {
			hint = " (this is an ELF file; convert it to a .bin first)"
		}
		return in, fmt.Errorf("espimage: magic byte 0x%02x, want 0x%02x%s: %w", image[0], Magic, hint, ErrMagic)
	}
	if len(image) < HeaderSize {
		return in, fmt.Errorf("espimage: %d bytes, shorter than the %d-byte header: %w", len(image), HeaderSize, ErrTruncated)
	}
	nseg := int(image[1])
	in.SPIMode = SPIMode(image[2])
	in.FlashSize, in.FlashFreq = image[3]>>4, image[3]&0x0f
	in.Entry = le.Uint32(image[4:])
	in.WPPin = image[8]
	copy(in.SPIPinDrive[:], image[9:12])
	in.Chip = Chip(le.Uint16(image[offChip:]))
	in.MinRev = image[offMinRev]
	in.MinRevFull = le.Uint16(image[offMinRevFull:])
	in.MaxRevFull = le.Uint16(image[offMaxRevFull:])

	if wantChip != nil && in.Chip != *wantChip {
		return in, fmt.Errorf("espimage: image is for %v (chip id %d), want %v (chip id %d): %w", in.Chip, uint16(in.Chip), *wantChip, uint16(*wantChip), ErrChip)
	}
	switch h := image[offHashAppended]; h {
	case 0:
	case 1:
		in.HashAppended = true
	default:
		return in, fmt.Errorf("espimage: hash-appended byte 0x%02x, want 0 or 1: %w", h, ErrFormat)
	}
	if nseg == 0 || nseg > MaxSegments {
		return in, fmt.Errorf("espimage: %d segments, want 1..%d: %w", nseg, MaxSegments, ErrFormat)
	}

	off := HeaderSize
	sum := byte(ChecksumSeed)
	for i := 0; i < nseg; i++ {
		if len(image)-off < SegHeaderSize {
			return in, fmt.Errorf("espimage: segment %d: header at offset 0x%x cut off by the end of the %d-byte file: %w", i, off, len(image), ErrTruncated)
		}
		s := Segment{Addr: le.Uint32(image[off:]), Size: le.Uint32(image[off+4:]), Offset: off + SegHeaderSize}
		if uint64(s.Size) > uint64(len(image)-s.Offset) {
			return in, fmt.Errorf("espimage: segment %d at 0x%08x: %d bytes from offset 0x%x, but only %d left in the file: %w", i, s.Addr, s.Size, s.Offset, len(image)-s.Offset, ErrTruncated)
		}
		for _, b := range image[s.Offset : s.Offset+int(s.Size)] {
			sum ^= b
		}
		in.Segments = append(in.Segments, s)
		off = s.Offset + int(s.Size)
	}

	// Zero padding up to one byte short of a multiple of 16, then the checksum.
	csOff := off | 15
	if csOff >= len(image) {
		return in, fmt.Errorf("espimage: checksum byte at offset 0x%x is past the end of the %d-byte file: %w", csOff, len(image), ErrTruncated)
	}
	in.Checksum = image[csOff]
	if in.Checksum != sum {
		return in, fmt.Errorf("espimage: checksum 0x%02x at offset 0x%x, the segment data gives 0x%02x: %w", in.Checksum, csOff, sum, ErrChecksum)
	}
	in.Size = csOff + 1
	if in.HashAppended {
		if len(image)-in.Size < HashSize {
			return in, fmt.Errorf("espimage: SHA-256 at offset 0x%x needs %d bytes, only %d left: %w", in.Size, HashSize, len(image)-in.Size, ErrTruncated)
		}
		copy(in.Hash[:], image[in.Size:])
		if got := sha256.Sum256(image[:in.Size]); got != in.Hash {
			return in, fmt.Errorf("espimage: SHA-256 at offset 0x%x is %x, the image gives %x: %w", in.Size, in.Hash, got, ErrHash)
		}
		in.Size += HashSize
	}
	in.Trailing = len(image) - in.Size
	return in, nil
}
