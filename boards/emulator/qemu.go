package emulator

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// QEMUOptions configure StartESP32C3.
type QEMUOptions struct {
	// ELF is the ESP32-C3 firmware built for QEMU's riscv32 virt machine
	// (boards/esp32c3/qemu.json), as gatomqtt-firmware writes it to
	// build/esp32c3-qemu.elf.
	ELF string
	// Command is the QEMU binary (default qemu-system-riscv32, from
	// Debian's qemu-system-misc).
	Command string
	// Stderr, when set, gets QEMU's own messages.
	Stderr io.Writer
}

// QEMU is the ESP32-C3 firmware running on QEMU's riscv32 virt machine:
// the TinyGo-compiled firmware core on an emulated RV32IMC CPU, its UART
// bridged to a TCP connection on 127.0.0.1.
//
// Limits: QEMU runs the code, not the chip. Its CPU is as fast as the host
// makes it (no cycle timing); the firmware's clock follows the machine's
// real-time counter (boards/esp32c3/chip_qemu.go); the line is an
// unpaced NS16550 UART; RAM is held to the chip's by the linker script,
// not by the machine. One host connection per QEMU.
type QEMU struct {
	cmd  *exec.Cmd
	conn net.Conn
	done chan struct{}
	err  error // QEMU's exit, valid after done

	stopOnce sync.Once
	stopErr  error
}

// StartESP32C3 starts QEMU on the firmware and takes its serial port.
// ctx bounds the start only; Stop ends QEMU.
//
// The file is checked first: a 32-bit little-endian RISC-V ELF executable,
// as TinyGo writes for the virt machine; anything else is refused with
// the reason before QEMU starts.
func StartESP32C3(ctx context.Context, o QEMUOptions) (*QEMU, error) {
	if err := checkQEMUImage(o.ELF); err != nil {
		return nil, err
	}
	command := o.Command
	if command == "" {
		command = "qemu-system-riscv32"
	}
	bin, err := exec.LookPath(command)
	if err != nil {
		return nil, fmt.Errorf("%w: %v (install qemu-system-misc)", ErrNotInstalled, err)
	}
	// QEMU connects to a listener of ours: the port is ours from the start
	// and the firmware's first bytes wait for us.
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	defer ln.Close()
	cmd := exec.Command(bin,
		"-machine", "virt", "-bios", "none", "-m", "16M",
		"-device", "virtio-rng-device",
		"-display", "none", "-monitor", "none",
		"-serial", "tcp:"+ln.Addr().String()+",nodelay=on",
		"-kernel", o.ELF)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if o.Stderr != nil {
		cmd.Stderr = io.MultiWriter(&stderr, o.Stderr)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("emulator: starting QEMU: %w", err)
	}
	q := &QEMU{cmd: cmd, done: make(chan struct{})}
	go func() {
		q.err = cmd.Wait()
		close(q.done)
	}()
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	select {
	case q.conn = <-accepted:
		return q, nil
	case <-q.done:
		return nil, fmt.Errorf("emulator: QEMU exited before connecting its serial port: %v: %s", q.err, bytes.TrimSpace(stderr.Bytes()))
	case <-ctx.Done():
		q.Stop()
		return nil, fmt.Errorf("emulator: QEMU did not connect its serial port: %w", ctx.Err())
	}
}

// checkQEMUImage refuses a file that is not firmware for the virt
// machine.
func checkQEMUImage(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("emulator: %w (build it with go run ./cmd/gatomqtt-firmware esp32c3)", err)
		}
		return fmt.Errorf("emulator: %s is not an ELF file for QEMU's virt machine: %w", path, err)
	}
	defer f.Close()
	if f.Class != elf.ELFCLASS32 || f.Machine != elf.EM_RISCV || f.Type != elf.ET_EXEC {
		return fmt.Errorf("emulator: %s is a %v %v %v, not a 32-bit RISC-V executable for QEMU's virt machine", path, f.Class, f.Machine, f.Type)
	}
	if f.Entry < 0x80000000 {
		return fmt.Errorf("emulator: %s starts at %#x, outside the virt machine's RAM at 0x80000000 (an image for the chip, not for QEMU?)", path, f.Entry)
	}
	return nil
}

// Line is the board's serial port. Closing it ends the connection only;
// Stop ends QEMU.
func (q *QEMU) Line() io.ReadWriteCloser { return q.conn }

// Stop ends QEMU (by its process id) and reports how it ended if not by
// the stop itself.
func (q *QEMU) Stop() error {
	q.stopOnce.Do(func() {
		if q.conn != nil {
			q.conn.Close()
		}
		select {
		case <-q.done:
			q.stopErr = fmt.Errorf("emulator: QEMU had exited: %v", q.err)
			return
		default:
		}
		q.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-q.done:
		case <-time.After(5 * time.Second):
			q.cmd.Process.Kill()
			<-q.done
		}
	})
	return q.stopErr
}
