package link

import (
	"bytes"
	hashcrc "hash/crc32"
	"testing"
)

func TestCOBS(t *testing.T) {
	long := bytes.Repeat([]byte{1}, 300)
	tests := []struct {
		name string
		in   []byte
		enc  []byte // nil: only check the round trip
	}{
		{"empty", []byte{}, []byte{1}},
		{"zero", []byte{0}, []byte{1, 1}},
		{"two zeros", []byte{0, 0}, []byte{1, 1, 1}},
		{"no zero", []byte{0x11, 0x22}, []byte{3, 0x11, 0x22}},
		{"zero inside", []byte{0x11, 0, 0x33}, []byte{2, 0x11, 2, 0x33}},
		{"trailing zero", []byte{0x11, 0}, []byte{2, 0x11, 1}},
		{"254 non-zero", bytes.Repeat([]byte{5}, 254), append([]byte{0xFF}, bytes.Repeat([]byte{5}, 254)...)},
		{"300 non-zero", long, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc := cobsEncode(nil, tt.in)
			if tt.enc != nil && !bytes.Equal(enc, tt.enc) {
				t.Errorf("encode = % x, want % x", enc, tt.enc)
			}
			if bytes.IndexByte(enc, 0) >= 0 {
				t.Errorf("encoding % x holds a zero", enc)
			}
			if len(enc) > cobsMaxLen(len(tt.in)) {
				t.Errorf("encoding is %d bytes, more than cobsMaxLen %d", len(enc), cobsMaxLen(len(tt.in)))
			}
			dec, ok := cobsDecode(enc)
			if !ok || !bytes.Equal(dec, tt.in) {
				t.Errorf("decode = % x %v, want % x", dec, ok, tt.in)
			}
		})
	}
}

func TestCOBSRejects(t *testing.T) {
	for _, in := range [][]byte{{0}, {3, 1}, {2, 0}, {5, 1, 2, 3}} {
		if dec, ok := cobsDecode(append([]byte(nil), in...)); ok {
			t.Errorf("decode(% x) = % x, want rejection", in, dec)
		}
	}
}

func TestCRC32MatchesIEEE(t *testing.T) {
	for _, in := range []string{"", "a", "123456789", string(bytes.Repeat([]byte{0xA5}, 1000))} {
		if got, want := crc32([]byte(in)), hashcrc.ChecksumIEEE([]byte(in)); got != want {
			t.Errorf("crc32(%.10q) = %08x, want %08x", in, got, want)
		}
	}
}
