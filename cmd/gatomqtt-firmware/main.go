// Command gatomqtt-firmware builds the board firmware with TinyGo, measures
// each image and checks it against its board's memory ceiling.
//
//	go run ./cmd/gatomqtt-firmware [-tinygo path] [-out build] [-report file] [board ...]
//
// For each board (default: all profiles in package boards) it writes
// <out>/<board>.elf and the image the board's flasher takes
// (<out>/pico.uf2, <out>/esp32c3.bin), and for a board with a QEMU
// target the same firmware for QEMU (<out>/esp32c3-qemu.elf, which
// emulated:esp32c3 runs), then prints a table of flash, static
// RAM (read from the ELF sections) and the RAM the firmware takes at run
// time (broker state, link buffers, goroutine stacks), and writes it to
// the report file. With QEMU (qemu-system-riscv32, Debian's
// qemu-system-misc) it also proves each board's goroutine stack size
// enough for the firmware core: it runs boards/firmware/stackprobe, built
// for riscv-qemu with that stack size, and fails when a stack overflows.
// It exits with status 1 when a build or a check fails or a board's RAM is
// over its ceiling, and 2 on bad flags.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/boards/firmware"
	"github.com/gatomqtt/gatomqtt/harness/report"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gatomqtt-firmware", flag.ContinueOnError)
	fs.SetOutput(stderr)
	tinygo := fs.String("tinygo", "tinygo", "the tinygo `command`")
	out := fs.String("out", "build", "`folder` for the images")
	report := fs.String("report", "", "markdown `file` to write the size table to")
	figures := fs.String("figures", "", "`file` to write the sizes to as memory figures (figures-*.tsv, for gatomqtt-coverage -figures)")
	version := fs.String("version", "dev", "firmware `version` reported in the hello")
	qemu := fs.String("qemu", "qemu-system-riscv32", "QEMU `command` that runs the stack probe at each board's stack size; empty skips the check")
	buildID := fs.String("build-id", "", "build `id` reported in the hello (default: the git commit, when there is one)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	profiles := boards.Profiles
	if fs.NArg() > 0 {
		profiles = nil
		for _, name := range fs.Args() {
			p, ok := boards.Lookup(name)
			if !ok {
				fmt.Fprintf(stderr, "gatomqtt-firmware: no board %q\n", name)
				return 2
			}
			profiles = append(profiles, p)
		}
	}
	if *buildID == "" {
		if b, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output(); err == nil {
			*buildID = strings.TrimSpace(string(b))
		}
	}
	// The id goes into the image stamped, so that a boot ROM's stand-in
	// can read it from the image it was flashed with.
	stamp := ""
	if *buildID != "" {
		var err error
		if stamp, err = firmware.BuildStamp(*buildID); err != nil {
			fmt.Fprintln(stderr, "gatomqtt-firmware: -build-id:", err)
			return 2
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(stderr, "gatomqtt-firmware:", err)
		return 1
	}
	b := builder{tinygo: *tinygo, qemu: *qemu, out: *out, stderr: stderr,
		ldflags: "-X main.version=" + *version + " -X main.buildID=" + stamp}
	var rows []Sizes
	status := 0
	for _, p := range profiles {
		s, err := b.build(p)
		if err != nil {
			fmt.Fprintf(stderr, "gatomqtt-firmware: %s: %v\n", p.Name, err)
			status = 1
			continue
		}
		if !s.Fits() {
			fmt.Fprintf(stderr, "gatomqtt-firmware: %s: %d bytes of RAM, over its ceiling of %d\n", p.Name, s.TotalRAM(), s.Budget)
			status = 1
		}
		rows = append(rows, s)
	}
	table := Table(rows)
	fmt.Fprint(stdout, table)
	if *report != "" {
		err := os.MkdirAll(filepath.Dir(*report), 0o755)
		if err == nil {
			err = os.WriteFile(*report, []byte(table), 0o644)
		}
		if err != nil {
			fmt.Fprintln(stderr, "gatomqtt-firmware:", err)
			return 1
		}
	}
	if *figures != "" {
		if err := writeFigures(*figures, rows); err != nil {
			fmt.Fprintln(stderr, "gatomqtt-firmware:", err)
			return 1
		}
	}
	return status
}

// writeFigures writes each board's image sizes as memory figures, so the
// memory table shows them beside what the targets measure.
func writeFigures(path string, rows []Sizes) error {
	var fs []report.Figure
	for _, s := range rows {
		target := s.Board + " image (TinyGo)"
		add := func(name string, v int) {
			fs = append(fs, report.Figure{Suite: "firmware", Target: target, Name: name, Value: strconv.Itoa(v)})
		}
		add("flash bytes", int(s.Flash))
		add("static RAM bytes", int(s.StaticRAM))
		add("broker state bytes", s.Broker)
		add("RAM total bytes (static, broker, link, stacks)", s.TotalRAM())
		add("RAM ceiling bytes", s.Budget)
	}
	var b bytes.Buffer
	if err := report.WriteFigures(&b, fs); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
