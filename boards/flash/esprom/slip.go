package esprom

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// SLIP framing bytes (RFC 1055, as the ESP ROM loader uses them).
const (
	slipEnd    = 0xC0
	slipEsc    = 0xDB
	slipEscEnd = 0xDC
	slipEscEsc = 0xDD
)

// MaxFrame bounds a decoded SLIP frame. The largest ROM request is a
// FLASH_DATA packet (8 + 16 + 0x400 bytes); the bound leaves room for
// larger block sizes without letting a noisy line grow a frame forever.
const MaxFrame = 64 << 10

// Frame errors. A frame reader that returns one of them has dropped the
// offending frame and can be read again; any other error comes from the
// underlying reader.
var (
	ErrBadEscape    = errors.New("esprom: SLIP: bad escape sequence")
	ErrFrameTooLong = errors.New("esprom: SLIP: frame too long")
)

// EncodeSLIP returns data framed as one SLIP packet: 0xC0, data with 0xC0
// and 0xDB escaped, 0xC0.
func EncodeSLIP(data []byte) []byte {
	out := make([]byte, 0, len(data)+len(data)/16+2)
	out = append(out, slipEnd)
	for _, b := range data {
		switch b {
		case slipEnd:
			out = append(out, slipEsc, slipEscEnd)
		case slipEsc:
			out = append(out, slipEsc, slipEscEsc)
		default:
			out = append(out, b)
		}
	}
	return append(out, slipEnd)
}

// FrameReader reads SLIP frames one at a time. Bytes outside a frame (the
// ROM's boot log before the first 0xC0, line noise between frames) are
// skipped; empty frames (0xC0 0xC0) are skipped too.
type FrameReader struct {
	r *bufio.Reader
}

// NewFrameReader returns a FrameReader over r.
func NewFrameReader(r io.Reader) *FrameReader {
	return &FrameReader{r: bufio.NewReaderSize(r, 4096)}
}

// ReadFrame returns the next decoded frame. On ErrBadEscape or
// ErrFrameTooLong the rest of that frame is discarded and the reader is
// positioned outside a frame, so ReadFrame can be called again.
func (f *FrameReader) ReadFrame() ([]byte, error) {
	// Skip to the opening 0xC0.
	for {
		b, err := f.r.ReadByte()
		if err != nil {
			return nil, err
		}
		if b == slipEnd {
			break
		}
	}
	var frame []byte
	for {
		b, err := f.r.ReadByte()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		switch b {
		case slipEnd:
			if len(frame) == 0 {
				// 0xC0 0xC0: the previous byte closed nothing;
				// treat this one as the opening delimiter.
				continue
			}
			return frame, nil
		case slipEsc:
			e, err := f.r.ReadByte()
			if err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return nil, err
			}
			switch e {
			case slipEscEnd:
				b = slipEnd
			case slipEscEsc:
				b = slipEsc
			default:
				if e == slipEnd {
					// The frame ended inside an escape; 0xC0 is
					// consumed as its end.
					return nil, fmt.Errorf("%w: 0xDB before end of frame", ErrBadEscape)
				}
				f.discard()
				return nil, fmt.Errorf("%w: 0xDB 0x%02X", ErrBadEscape, e)
			}
		}
		if len(frame) >= MaxFrame {
			f.discard()
			return nil, ErrFrameTooLong
		}
		frame = append(frame, b)
	}
}

// discard skips to the end of the current frame (the next 0xC0). A read
// error stops it; the underlying reader reports it again on the next read.
func (f *FrameReader) discard() {
	for {
		b, err := f.r.ReadByte()
		if err != nil || b == slipEnd {
			return
		}
	}
}
