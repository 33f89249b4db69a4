package uf2

import "testing"

func TestParseInfo(t *testing.T) {
	tests := []struct {
		name, text            string
		version, model, board string
		bootrom, wantErr      bool
	}{
		{"RP2040 bootrom", "UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\nBoard-ID: RPI-RP2\n", "v3.0", "Raspberry Pi RP2", "RPI-RP2", true, false},
		{"CRLF", "UF2 Bootloader v3.0\r\nModel: Raspberry Pi RP2\r\nBoard-ID: RPI-RP2\r\n", "v3.0", "Raspberry Pi RP2", "RPI-RP2", true, false},
		{"other board", "UF2 Bootloader v0.7.0 lib/nrfx (v2.0.0)\nModel: Adafruit Feather nRF52840\nBoard-ID: nRF52840-Feather-revD\nDate: Jan  1 2024\n", "v0.7.0 lib/nrfx (v2.0.0)", "Adafruit Feather nRF52840", "nRF52840-Feather-revD", false, false},
		{"not a bootloader", "hello: world\n", "", "", "", false, true},
		{"empty", "", "", "", "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := ParseInfo(tt.text)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if in.Version != tt.version || in.Model != tt.model || in.BoardID != tt.board || in.RP2040Bootrom() != tt.bootrom {
				t.Fatalf("got %+v", in)
			}
		})
	}
	in, _ := ParseInfo("UF2 Bootloader v3.0\nDate: Sep 29 2020\n")
	if in.Fields["Date"] != "Sep 29 2020" {
		t.Errorf("Fields %v lack Date", in.Fields)
	}
}
