package main

import (
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/gatomqtt/gatomqtt/boards"
)

type builder struct {
	tinygo, out, ldflags string
	stderr               io.Writer
}

// build compiles the board's firmware to an ELF and to its image, and
// measures the ELF.
func (b *builder) build(p *boards.Profile) (Sizes, error) {
	pkg := "./boards/" + p.Name
	elfPath := filepath.Join(b.out, p.Name+".elf")
	image := filepath.Join(b.out, p.Name+"."+p.ImageFormat)
	for _, o := range []string{elfPath, image} {
		if err := b.tinygoBuild(p.TinyGoTarget, o, pkg); err != nil {
			return Sizes{}, err
		}
	}
	if err := CheckImage(image, p.ImageFormat); err != nil {
		return Sizes{}, err
	}
	s, err := Measure(elfPath, p)
	s.Image = image
	return s, err
}

func (b *builder) tinygoBuild(target, out, pkg string) error {
	cmd := exec.Command(b.tinygo, "build", "-target="+target, "-ldflags="+b.ldflags, "-o", out, pkg)
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
	if err != nil {
		return fmt.Errorf("tinygo build -target=%s %s: %w", target, pkg, err)
	}
	return nil
}
