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

// parseEmulated reads emulated:<board>. emulated:pico runs the real
// firmware image in the RP2040 emulator (boards/emulator):
// firmware=<uf2> (default build/pico.uf2 of this checkout, as
// gatomqtt-firmware writes it; checked as the RP2040 bootrom checks a UF2
// before the emulator loads it) and bootrom=<path> (default: what
// emulator.FindBootROM finds). No instruction-level emulator of the
// ESP32-C3 is wired in, so emulated:esp32c3 runs its twin, which says so
// in its hello.
func parseEmulated(u *url.URL) (target.Target, error) {
	if u.Opaque != boards.Pico.Name {
		return parseTwinAs(u, "emulated", true)
	}
	if u.Host != "" || u.Path != "" {
		return nil, fmt.Errorf("want emulated:<board>")
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
