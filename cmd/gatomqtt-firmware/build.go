package main

import (
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gatomqtt/gatomqtt/boards"
)

type builder struct {
	tinygo, qemu, out, ldflags string
	stderr                     io.Writer
}

// build compiles the board's firmware to an ELF and to its image, and
// measures the ELF.
func (b *builder) build(p *boards.Profile) (Sizes, error) {
	pkg := "./boards/" + p.Name
	elfPath := filepath.Join(b.out, p.Name+".elf")
	image := filepath.Join(b.out, p.Name+"."+p.ImageFormat)
	for _, o := range []string{elfPath, image} {
		if err := b.tinygoBuild(p, o, pkg); err != nil {
			return Sizes{}, err
		}
	}
	if err := CheckImage(image, p.ImageFormat); err != nil {
		return Sizes{}, err
	}
	if p.QEMUTarget != "" {
		// The same firmware for QEMU, which emulated:<board> runs.
		out := filepath.Join(b.out, p.Name+"-qemu.elf")
		cmd := exec.Command(b.tinygo, "build", "-target="+p.QEMUTarget,
			"-stack-size="+strconv.Itoa(p.StackBytes)+"B", "-ldflags="+b.ldflags, "-o", out, pkg)
		if err := b.run(cmd); err != nil {
			return Sizes{}, fmt.Errorf("tinygo build -target=%s %s: %w", p.QEMUTarget, pkg, err)
		}
	}
	s, err := Measure(elfPath, p)
	s.Image = image
	if err == nil && b.qemu != "" {
		err = b.checkStacks(p, &s)
	}
	return s, err
}

// tinygoBuild builds pkg with the board's goroutine stack size: TinyGo
// cannot size the stacks of goroutines that call through interfaces, and
// its default differs between targets (8 KiB for the Pico, 2 KiB for the
// ESP32-C3).
func (b *builder) tinygoBuild(p *boards.Profile, out, pkg string) error {
	cmd := exec.Command(b.tinygo, "build", "-target="+p.TinyGoTarget,
		"-stack-size="+strconv.Itoa(p.StackBytes)+"B", "-ldflags="+b.ldflags, "-o", out, pkg)
	if err := b.run(cmd); err != nil {
		return fmt.Errorf("tinygo build -target=%s %s: %w", p.TinyGoTarget, pkg, err)
	}
	return nil
}

// run runs a TinyGo command, passing its output on.
func (b *builder) run(cmd *exec.Cmd) error {
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	err := cmd.Run()
	// TinyGo's esp32c3 target names RISC-V features that LLVM 19 does not
	// know; it warns about each on every build. Keep everything else.
	for _, line := range strings.SplitAfter(output.String(), "\n") {
		if line != "" && !strings.Contains(line, "is not a recognized feature for this target") {
			io.WriteString(b.stderr, line)
		}
	}
	return err
}
