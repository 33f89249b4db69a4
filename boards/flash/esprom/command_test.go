package esprom

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

func TestCommandString(t *testing.T) {
	for c, want := range map[Command]string{FlashDeflBegin: "FLASH_DEFL_BEGIN", GetSecurityInfo: "GET_SECURITY_INFO", 0x99: "command 0x99"} {
		if c.String() != want {
			t.Errorf("%d.String() = %q, want %q", uint8(c), c.String(), want)
		}
	}
}

func TestChecksum(t *testing.T) {
	if got := Checksum(nil); got != 0xEF {
		t.Fatalf("empty checksum %#x", got)
	}
	if got := Checksum([]byte{0xEF}); got != 0 {
		t.Fatalf("checksum %#x, want 0", got)
	}
	if got := Checksum([]byte{1, 2, 4}); got != 0xEF^7 {
		t.Fatalf("checksum %#x", got)
	}
}

func TestRequestEncoding(t *testing.T) {
	got := EncodeRequest(FlashData, []byte{0xAA, 0xBB}, 0x12345678)
	want := []byte{0x00, 0x03, 0x02, 0x00, 0x78, 0x56, 0x34, 0x12, 0xAA, 0xBB}
	if !bytes.Equal(got, want) {
		t.Fatalf("% X, want % X", got, want)
	}
	req, err := DecodeRequest(got)
	if err != nil || req.Command != FlashData || req.Checksum != 0x12345678 || !bytes.Equal(req.Data, []byte{0xAA, 0xBB}) {
		t.Fatalf("decoded %+v, %v", req, err)
	}
}

func TestDecodeResponse(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    Response
		wantErr bool
		romErr  error
	}{
		{"ok read_reg", []byte{0x01, 0x0A, 0x04, 0x00, 0x6F, 0x50, 0x31, 0x1B, 0, 0, 0, 0},
			Response{Command: ReadReg, Value: 0x1B31506F, Data: []byte{}}, false, nil},
		{"ok with data", []byte{0x01, 0x13, 0x06, 0x00, 0, 0, 0, 0, 'a', 'b', 0, 0, 0, 0},
			Response{Command: SPIFlashMD5, Data: []byte("ab")}, false, nil},
		{"checksum failure", []byte{0x01, 0x03, 0x04, 0x00, 0, 0, 0, 0, 1, 7, 0, 0},
			Response{Command: FlashData, Data: []byte{}, Status: 1, Code: CodeChecksum}, false, CodeChecksum},
		{"request direction", []byte{0x00, 0x03, 0x04, 0x00, 0, 0, 0, 0, 1, 7, 0, 0}, Response{}, true, nil},
		{"short", []byte{0x01, 0x03}, Response{}, true, nil},
		{"size past end", []byte{0x01, 0x03, 0x09, 0x00, 0, 0, 0, 0, 1, 7, 0, 0}, Response{}, true, nil},
		{"no status", []byte{0x01, 0x03, 0x02, 0x00, 0, 0, 0, 0, 1, 7}, Response{}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeResponse(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got.Command != tt.want.Command || got.Value != tt.want.Value || !bytes.Equal(got.Data, tt.want.Data) || got.Status != tt.want.Status || got.Code != tt.want.Code {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			if rerr := got.Err(); !errors.Is(rerr, tt.romErr) || (tt.romErr == nil) != (rerr == nil) {
				t.Fatalf("Err() = %v, want %v", rerr, tt.romErr)
			}
			if again := EncodeResponse(got); !bytes.Equal(again, tt.in) {
				t.Fatalf("re-encoded % X, want % X", again, tt.in)
			}
		})
	}
}

func TestROMErrorMessages(t *testing.T) {
	tests := []struct {
		code ROMCode
		want string
	}{
		{CodeInvalidMessage, "ROM error 0x05 (received message is invalid)"},
		{CodeFailedToAct, "ROM error 0x06 (failed to act on received message)"},
		{CodeChecksum, "ROM error 0x07 (checksum)"},
		{CodeFlashWrite, "ROM error 0x08 (flash write error)"},
		{CodeFlashRead, "ROM error 0x09 (flash read error)"},
		{CodeReadLength, "ROM error 0x0a (flash read length error)"},
		{CodeDeflate, "ROM error 0x0b (deflate error)"},
		{0x42, "ROM error 0x42 (unknown error)"},
	}
	for _, tt := range tests {
		err := fmt.Errorf("esprom: FLASH_DATA block 3: %w", &ROMError{Command: FlashData, Code: tt.code})
		if got := err.Error(); got != "esprom: FLASH_DATA block 3: "+tt.want {
			t.Errorf("%q, want suffix %q", got, tt.want)
		}
		var re *ROMError
		if !errors.As(err, &re) || re.Code != tt.code || !errors.Is(err, tt.code) {
			t.Errorf("code 0x%02x: errors.As/Is do not find it", uint8(tt.code))
		}
	}
}
