package boardtarget

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/boards/emulator"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

// parseEmulated reads emulated:<board>: the board's real firmware, built
// by TinyGo, on an emulated CPU. emulated:pico runs the Pico image in the
// RP2040 emulator (boards/emulator): firmware=<uf2> (default
// build/pico.uf2 of this checkout, as gatomqtt-firmware writes it;
// checked as the RP2040 bootrom checks a UF2 before the emulator loads it)
// and bootrom=<path> (default: what emulator.FindBootROM finds).
// emulated:esp32c3 runs the ESP32-C3 firmware built for QEMU's riscv32
// virt machine (no ESP32-C3 emulator exists here; the chip's core is an
// RV32IMC and QEMU emulates one): firmware=<elf> (default
// build/esp32c3-qemu.elf) and qemu=<command>.
func parseEmulated(u *url.URL) (target.Target, error) {
	if u.Host != "" || u.Path != "" || u.Opaque == "" {
		return nil, fmt.Errorf("want emulated:<board>")
	}
	if u.Opaque == boards.ESP32C3.Name {
		return parseQEMU(u)
	}
	if u.Opaque != boards.Pico.Name {
		_, err := profileOf(u.Opaque)
		return nil, err
	}
	o := target.NewOptions(u)
	em := &emulated{uf2: o.String("firmware", ""), bootROM: o.String("bootrom", "")}
	t, err := newBoardTarget(target.Redact(u), &boards.Pico, o, em.start)
	if err != nil {
		return nil, err
	}
	t.clock = em.elapsed
	if !o.Has("hellotimeout") {
		t.hello = emulatedHelloTimeout
	}
	if err := o.Err(); err != nil {
		return nil, err
	}
	return t, nil
}

// emulatedHelloTimeout allows for Node's start and the emulated boot.
const emulatedHelloTimeout = 60 * time.Second

// emulated is the Pico firmware in rp2040js.
type emulated struct {
	uf2, bootROM string

	mu sync.Mutex
	e  *emulator.Emulator
}

// elapsed reads the emulator's clock.
func (em *emulated) elapsed() (time.Duration, error) {
	em.mu.Lock()
	e := em.e
	em.mu.Unlock()
	if e == nil {
		return 0, errors.New("the emulator is not running")
	}
	return e.EmulatedTime(5 * time.Second)
}

func (em *emulated) start(ctx context.Context) (io.ReadWriteCloser, string, func() error, error) {
	uf2 := em.uf2
	if uf2 == "" {
		root, err := moduleRoot()
		if err != nil {
			return nil, "", nil, err
		}
		uf2 = filepath.Join(root, "build", "pico.uf2")
	}
	if _, err := os.Stat(uf2); err != nil {
		return nil, "", nil, fmt.Errorf("emulated:pico needs the firmware image: %w (build it with go run ./cmd/gatomqtt-firmware pico, or give firmware=<uf2>)", err)
	}
	e, err := emulator.StartPico(ctx, emulator.Options{UF2: uf2, BootROM: em.bootROM})
	if err != nil {
		return nil, "", nil, err
	}
	em.mu.Lock()
	em.e = e
	em.mu.Unlock()
	return e.Line(), "the emulated Pico running " + uf2, e.Stop, nil
}

// moduleRoot finds the checkout above the working directory, where the
// suites run.
func moduleRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", errors.New("no go.mod above the working directory: give firmware=<uf2>")
		}
		d = parent
	}
}

// parseQEMU reads emulated:esp32c3.
func parseQEMU(u *url.URL) (target.Target, error) {
	o := target.NewOptions(u)
	q := &qemu{elf: o.String("firmware", ""), command: o.String("qemu", "")}
	t, err := newBoardTarget(target.Redact(u), &boards.ESP32C3, o, q.start)
	if err != nil {
		return nil, err
	}
	if err := o.Err(); err != nil {
		return nil, err
	}
	return t, nil
}

// qemu is the ESP32-C3 firmware on QEMU's riscv32 virt machine.
type qemu struct{ elf, command string }

func (q *qemu) start(ctx context.Context) (io.ReadWriteCloser, string, func() error, error) {
	elf := q.elf
	if elf == "" {
		root, err := moduleRoot()
		if err != nil {
			return nil, "", nil, err
		}
		elf = filepath.Join(root, "build", "esp32c3-qemu.elf")
	}
	e, err := emulator.StartESP32C3(ctx, emulator.QEMUOptions{ELF: elf, Command: q.command})
	if err != nil {
		return nil, "", nil, fmt.Errorf("emulated:esp32c3: %w", err)
	}
	return e.Line(), "the ESP32-C3 firmware " + elf + " on QEMU", e.Stop, nil
}
