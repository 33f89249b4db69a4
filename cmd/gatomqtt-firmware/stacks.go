package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gatomqtt/gatomqtt/boards"
)

// stackProbe is the program checkStacks runs; see its package doc.
const stackProbe = "./boards/firmware/stackprobe"

// checkStacks builds the stack probe for riscv-qemu with the board's
// goroutine stack size and runs it in QEMU: the probe prints "ok" when
// every goroutine of the firmware core fitted its stack through the
// deepest MQTT flows, and TinyGo reports "goroutine stack overflow" when
// one did not (or the program dies and the run times out).
//
// The probe also reports the broker's and the link's state as TinyGo
// counts it (its allocator rounds differently from Go's), which replace
// the host's figures in s.
func (b *builder) checkStacks(p *boards.Profile, s *Sizes) error {
	elfPath := filepath.Join(b.out, "stackprobe-"+p.Name+".elf")
	cmd := exec.Command(b.tinygo, "build", "-target=riscv-qemu",
		"-stack-size="+strconv.Itoa(p.StackBytes)+"B",
		"-ldflags=-X main.board="+p.Name, "-o", elfPath, stackProbe)
	if err := b.run(cmd); err != nil {
		return fmt.Errorf("building the stack probe: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	q := exec.CommandContext(ctx, b.qemu, "-machine", "virt", "-nographic", "-bios", "none",
		"-device", "virtio-rng-device", "-kernel", elfPath)
	q.Stdout, q.Stderr = &out, &out
	err := q.Run()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	last := lines[len(lines)-1]
	if err == nil && last == "ok" {
		for _, line := range lines {
			if f := strings.Fields(line); len(f) == 3 && f[0] == "state" {
				s.Broker, _ = strconv.Atoi(f[1])
				s.Link, _ = strconv.Atoi(f[2])
				s.Measured = true
			}
		}
		if !s.Measured {
			return fmt.Errorf("the stack probe did not report its state")
		}
		return nil
	}
	if ctx.Err() != nil {
		last = "no answer within 2 minutes (a stack overflow TinyGo did not catch corrupts memory)"
	}
	return fmt.Errorf("goroutine stacks of %d bytes do not hold the firmware core: %s", p.StackBytes, last)
}
