package main

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/harness/report"
)

// TestMeasureReadsSections measures this test binary as if the whole
// address space were a board's SRAM: every allocated section then counts
// as RAM, and flash is what has contents.
func TestMeasureReadsSections(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p := boards.Pico
	p.SRAMRegions = []boards.Region{{Start: 0, Size: 1 << 62}}
	s, err := Measure(exe, &p)
	if err != nil {
		t.Skipf("not an ELF here: %v", err)
	}
	if s.Flash == 0 || s.StaticRAM < s.Flash {
		t.Errorf("flash %d, static RAM %d: want RAM ≥ flash > 0 when all is SRAM", s.Flash, s.StaticRAM)
	}
	p.SRAMRegions = []boards.Region{{Start: 1 << 62, Size: 1}}
	if s, _ := Measure(exe, &p); s.StaticRAM != 0 {
		t.Errorf("static RAM %d with no section in SRAM", s.StaticRAM)
	}
	if _, err := Measure("no-such-file.elf", &p); err == nil {
		t.Error("Measure of a missing file succeeded")
	}
}

func TestCeiling(t *testing.T) {
	tests := []struct {
		s    Sizes
		fits bool
	}{
		{Sizes{Board: "a", StaticRAM: 10, Broker: 20, Link: 30, Stacks: 40, Budget: 100}, true},
		{Sizes{Board: "b", StaticRAM: 11, Broker: 20, Link: 30, Stacks: 40, Budget: 100}, false},
	}
	for _, tt := range tests {
		if tt.s.Fits() != tt.fits {
			t.Errorf("%s: Fits = %v, want %v (total %d)", tt.s.Board, !tt.fits, tt.fits, tt.s.TotalRAM())
		}
		verdict := map[bool]string{true: "| ok |", false: "| OVER |"}[tt.fits]
		if row := Table([]Sizes{tt.s}); !strings.Contains(row, verdict) {
			t.Errorf("%s: table %q lacks %q", tt.s.Board, row, verdict)
		}
	}
}

func TestUnknownBoardIsAFlagError(t *testing.T) {
	var stderr strings.Builder
	if code := run([]string{"arduino"}, &strings.Builder{}, &stderr); code != 2 || !strings.Contains(stderr.String(), `no board "arduino"`) {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

func TestCheckImage(t *testing.T) {
	uf2 := make([]byte, 512)
	for i, v := range []uint32{uf2Magic0, uf2Magic1, uf2FamilyFlag} {
		binary.LittleEndian.PutUint32(uf2[4*i:], v)
	}
	binary.LittleEndian.PutUint32(uf2[28:], rp2040Family)
	esp := make([]byte, 24)
	esp[0], esp[12] = espImageMagic, esp32c3ChipID
	otherChip := append([]byte(nil), esp...)
	otherChip[12] = 9
	otherFamily := append([]byte(nil), uf2...)
	otherFamily[28] ^= 1
	tests := []struct {
		name, format string
		data         []byte
		ok           bool
	}{
		{"uf2", "uf2", uf2, true},
		{"uf2 cut short", "uf2", uf2[:300], false},
		{"uf2 of another family", "uf2", otherFamily, false},
		{"esp image", "bin", esp, true},
		{"esp image of another chip", "bin", otherChip, false},
		{"elf as bin", "bin", []byte("\x7fELF" + strings.Repeat("\x00", 40)), false},
		{"unknown format", "hex", esp, false},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "image")
		if err := os.WriteFile(path, tt.data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := CheckImage(path, tt.format); (err == nil) != tt.ok {
			t.Errorf("%s: CheckImage = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

func TestWriteFigures(t *testing.T) {
	path := filepath.Join(t.TempDir(), "figures-firmware.tsv")
	rows := []Sizes{{Board: "pico", Flash: 1000, StaticRAM: 100, Broker: 20, Link: 30, Stacks: 40, Budget: 500}}
	if err := writeFigures(path, rows); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fs, err := report.ReadFigures(f)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, x := range fs {
		if x.Target != "pico image (TinyGo)" {
			t.Errorf("target %q", x.Target)
		}
		got[x.Name] = x.Value
	}
	if got["static RAM bytes"] != "100" || got["RAM total bytes (static, broker, link, stacks)"] != "190" || got["RAM ceiling bytes"] != "500" {
		t.Errorf("figures %v", got)
	}
}
