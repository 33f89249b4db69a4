package esprom

import (
	"bytes"
	"context"
	"io"
	"testing"
)

// FuzzFrames feeds arbitrary bytes to the frame reader, and every frame to
// the response and request decoders and to the Emulator's handler. None
// may panic, and a decoded response must re-encode to the frame it came
// from (up to the size field's slack).
func FuzzFrames(f *testing.F) {
	f.Add([]byte("boot log\r\n\xC0\x01\x08\x04\x00\x07\x07\x12\x20\x00\x00\x00\x00\xC0"))
	f.Add(EncodeSLIP(EncodeResponse(Response{Command: FlashData, Status: 1, Code: CodeChecksum})))
	f.Add(EncodeSLIP(EncodeRequest(Sync, syncData, 0)))
	f.Add(EncodeSLIP(EncodeRequest(FlashData, append(words(4, 0, 0, 0), 0xC0, 0xDB, 1, 2), Checksum([]byte{0xC0, 0xDB, 1, 2}))))
	f.Add([]byte{0xC0, 0xDB, 0x41, 0xC0, 0xDB})
	f.Add([]byte{0xC0, 0x00, 0x02, 0x10, 0x00, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xC0})
	f.Fuzz(func(t *testing.T, in []byte) {
		fr := NewFrameReader(bytes.NewReader(in))
		emu := NewEmulator(EmulatorOptions{FlashSize: 64 << 10})
		emu.attached = true
		for range 1000 {
			frame, err := fr.ReadFrame()
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				break
			}
			if err != nil {
				continue
			}
			if resp, err := DecodeResponse(frame); err == nil {
				_ = resp.Err()
				_ = resp.Command.String()
				again := EncodeResponse(resp)
				if len(again) > len(frame) {
					t.Fatalf("re-encoded response longer than its frame")
				}
			}
			if req, err := DecodeRequest(frame); err == nil {
				emu.handle(req)
			}
		}
		// The Emulator's Serve loop over the same bytes must end cleanly.
		var out bytes.Buffer
		err := NewEmulator(EmulatorOptions{FlashSize: 64 << 10}).Serve(context.Background(), struct {
			io.Reader
			io.Writer
		}{bytes.NewReader(in), &out})
		if err != io.EOF && err != io.ErrUnexpectedEOF {
			t.Fatalf("Serve ended with %v", err)
		}
	})
}
