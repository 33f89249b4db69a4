package esprom

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestSLIPRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"plain", []byte("hello")},
		{"end inside", []byte{0x01, 0xC0, 0x02}},
		{"esc inside", []byte{0xDB, 0x01, 0xDB}},
		{"escape-looking pairs", []byte{0xDB, 0xDC, 0xDB, 0xDD, 0xC0, 0xC0}},
		{"only specials", bytes.Repeat([]byte{0xC0, 0xDB}, 100)},
		{"all bytes", func() []byte {
			b := make([]byte, 256)
			for i := range b {
				b[i] = byte(i)
			}
			return b
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc := EncodeSLIP(tt.data)
			if bytes.Count(enc, []byte{0xC0}) != 2 || enc[0] != 0xC0 || enc[len(enc)-1] != 0xC0 {
				t.Fatalf("encoded frame has 0xC0 inside: % X", enc)
			}
			for _, prefix := range [][]byte{nil, []byte("ESP-ROM:esp32c3-api1-20210207\r\nwaiting for download\r\n"), {0xDB, 0x00, 0xFF}} {
				fr := NewFrameReader(bytes.NewReader(append(append(append([]byte(nil), prefix...), enc...), enc...)))
				for i := range 2 {
					got, err := fr.ReadFrame()
					if err != nil {
						t.Fatalf("frame %d after %q: %v", i, prefix, err)
					}
					if !bytes.Equal(got, tt.data) {
						t.Fatalf("frame %d = % X, want % X", i, got, tt.data)
					}
				}
				if _, err := fr.ReadFrame(); err != io.EOF {
					t.Fatalf("after last frame: %v, want EOF", err)
				}
			}
		})
	}
}

func TestFrameReader(t *testing.T) {
	tests := []struct {
		name   string
		in     []byte
		frames [][]byte // nil entry: expect ErrBadEscape
		final  error
	}{
		{"garbage between frames", []byte("boot\xC0\x01\x02\xC0noise\xDB\xC0\x03\xC0"), [][]byte{{1, 2}, {3}}, io.EOF},
		{"empty frames skipped", []byte{0xC0, 0xC0, 0xC0, 0x07, 0xC0}, [][]byte{{7}}, io.EOF},
		{"bad escape then recovers", []byte{0xC0, 0x01, 0xDB, 0x41, 0x02, 0xC0, 0xC0, 0x09, 0xC0}, [][]byte{nil, {9}}, io.EOF},
		{"escape before end", []byte{0xC0, 0x01, 0xDB, 0xC0, 0xC0, 0x05, 0xC0}, [][]byte{nil, {5}}, io.EOF},
		{"truncated frame", []byte{0xC0, 0x01, 0x02}, nil, io.ErrUnexpectedEOF},
		{"truncated escape", []byte{0xC0, 0x01, 0xDB}, nil, io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fr := NewFrameReader(bytes.NewReader(tt.in))
			for i, want := range tt.frames {
				got, err := fr.ReadFrame()
				if want == nil {
					if !errors.Is(err, ErrBadEscape) {
						t.Fatalf("frame %d: err %v, want ErrBadEscape", i, err)
					}
					continue
				}
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("frame %d = % X, %v; want % X", i, got, err, want)
				}
			}
			if _, err := fr.ReadFrame(); err != tt.final {
				t.Fatalf("final err %v, want %v", err, tt.final)
			}
		})
	}
}

func TestFrameTooLong(t *testing.T) {
	in := append([]byte{0xC0}, bytes.Repeat([]byte{1}, MaxFrame+10)...)
	in = append(in, 0xC0, 0xC0, 0x02, 0xC0)
	fr := NewFrameReader(bytes.NewReader(in))
	if _, err := fr.ReadFrame(); !errors.Is(err, ErrFrameTooLong) {
		t.Fatalf("err %v, want ErrFrameTooLong", err)
	}
	if f, err := fr.ReadFrame(); err != nil || !bytes.Equal(f, []byte{2}) {
		t.Fatalf("next frame % X, %v", f, err)
	}
}
