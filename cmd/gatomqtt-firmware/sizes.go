package main

import (
	"debug/elf"
	"fmt"
	"strconv"
	"strings"

	"github.com/gatomqtt/gatomqtt/boards"
)

// Sizes are one firmware image's memory figures.
type Sizes struct {
	Board, Image string
	Flash        uint64 // bytes stored in flash: code, read-only data, data's initial values
	StaticRAM    uint64 // bytes of SRAM the image takes before main: data, bss, main stack, code in RAM
	// What the firmware takes at run time: from the stack probe under
	// QEMU when it ran (Measured), else from the profile on this host.
	Broker, Link, Stacks int
	Budget               int
	// Measured says the stack probe ran at the board's stack size and
	// Broker and Link are the TinyGo runtime's figures, not the host's.
	Measured bool
}

// TotalRAM is the RAM the ceiling bounds.
func (s Sizes) TotalRAM() int { return int(s.StaticRAM) + s.Broker + s.Link + s.Stacks }

// Fits reports whether the firmware stays under its board's ceiling.
func (s Sizes) Fits() bool { return s.TotalRAM() <= s.Budget }

// Measure reads an ELF image's sections. A section takes RAM when its
// address lies in the board's SRAM (data, bss, the main stack, code
// placed in RAM) and flash when it has contents (data's initial values
// included). Linker placeholders (sections named *_dummy, which only
// reserve addresses aliasing other sections: on the ESP32-C3 the IRAM
// view of the SRAM that data uses) are skipped; `tinygo -size` counts
// them.
func Measure(path string, p *boards.Profile) (Sizes, error) {
	f, err := elf.Open(path)
	if err != nil {
		return Sizes{}, err
	}
	defer f.Close()
	s := Sizes{Board: p.Name, Budget: p.Ceilings.RAMBudget}
	for _, sec := range f.Sections {
		if sec.Flags&elf.SHF_ALLOC == 0 || sec.Size == 0 || strings.HasSuffix(sec.Name, "_dummy") {
			continue
		}
		if p.InSRAM(sec.Addr) {
			s.StaticRAM += sec.Size
		}
		if sec.Type == elf.SHT_PROGBITS {
			s.Flash += sec.Size
		}
	}
	s.Broker, s.Link, s.Stacks = p.RuntimeBytes()
	return s, nil
}

// Table renders sizes as a markdown table.
func Table(rows []Sizes) string {
	var b strings.Builder
	b.WriteString("| board | image | flash | static RAM | broker state | link buffers | goroutine stacks | RAM total | ceiling | |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---|---:|---:|---|\n")
	for _, s := range rows {
		verdict := "ok"
		if !s.Fits() {
			verdict = "OVER"
		}
		stacks := strconv.Itoa(s.Stacks)
		if s.Measured {
			stacks += " (checked)"
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %s | %d | %d | %s |\n",
			s.Board, s.Image, s.Flash, s.StaticRAM, s.Broker, s.Link, stacks, s.TotalRAM(), s.Budget, verdict)
	}
	return b.String()
}
