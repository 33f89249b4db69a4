// Package emulator runs the boards' real firmware, compiled by TinyGo, on
// emulated CPUs and hands the host their serial ports, so that tests and
// the harness can drive the firmware without a board: the Pico's image in
// an RP2040 emulator (StartPico), and the ESP32-C3's firmware built for
// QEMU's riscv32 virt machine (StartESP32C3, qemu.go), since no emulator of
// the chip itself runs here.
//
// The emulator is rp2040js (Wokwi's RP2040 emulator, pinned to 1.4.1) run by
// Node with the runner in the rp2040 folder beside this file; install its
// dependency with ci/install-emulator.sh. The runner loads the RP2040 boot
// ROM and the firmware's UF2 into emulated flash, runs the CPU and bridges
// the board's serial port (USB CDC, as TinyGo's pico target has it, or
// UART0) to a TCP connection on 127.0.0.1. See runner.mjs for the line
// protocol between this package and the runner.
//
// Limits:
//   - The emulated chip runs slower than a real RP2040 while its CPU is busy
//     (roughly 15-35 million instructions a second here, against 125 MHz),
//     and catches up while it waits for interrupts (idle time is skipped to
//     the next timer alarm), but its clock never runs ahead of wall time.
//     Time-outs on the host should be generous; EmulatedTime tells how much
//     time passed for the firmware.
//   - Host-to-board bytes are paced as the real line carries them, in
//     emulated time: over USB one packet of at most 64 bytes per
//     millisecond (about 64 KB/s), over UART one byte per character time.
//   - rp2040js models only part of the chip; the runner patches the gaps
//     that stop TinyGo firmware (see runner.mjs). It does not model a
//     system reset, so a firmware Reset request does not reboot the board:
//     start a new Emulator instead.
//   - One host connection per emulator.
package emulator

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/flash/uf2"
)

// Options configure StartPico.
type Options struct {
	// UF2 is the firmware image (gatomqtt-firmware's <out>/pico.uf2).
	UF2 string
	// BootROM is the RP2040 boot ROM image (16 KiB, revision B1); empty
	// means the one FindBootROM finds.
	BootROM string
	// Node is the node binary; empty means "node" on PATH.
	Node string
	// Dir is the runner's folder (runner.mjs, node_modules); empty means
	// the rp2040 folder beside this package's source.
	Dir string
	// UART selects a firmware built with -serial=uart: the runner bridges
	// UART0 instead of USB CDC.
	UART bool
	// Verbose makes the runner report its state (a JSON line per emulated
	// second) and the emulator's warnings to Stderr.
	Verbose bool
	// Stderr receives the runner's diagnostics; nil discards them.
	Stderr io.Writer
}

// ErrNotInstalled reports a missing node binary or runner dependencies.
var ErrNotInstalled = errors.New("emulator: not installed (run ci/install-emulator.sh)")

// startTimeout bounds the runner's start, up to its "listening" line.
const startTimeout = 30 * time.Second

// Emulator is a running emulated board.
type Emulator struct {
	cmd   *exec.Cmd
	conn  net.Conn
	stdin io.WriteCloser
	times chan int64    // "time" answers, in order
	done  chan struct{} // closed when the runner has exited
	err   error         // the runner's exit, valid after done

	mu       sync.Mutex // one EmulatedTime query at a time
	stopOnce sync.Once
	stopErr  error
}

// StartPico starts the emulator on the firmware image and connects to its
// serial port. ctx bounds the start only; Stop ends the emulator.
//
// The image is first checked as the RP2040 bootrom checks a UF2 copied to
// its drive (package uf2): an image a board would refuse is refused here,
// with the block and the rule it breaks, before anything starts.
func StartPico(ctx context.Context, o Options) (*Emulator, error) {
	if err := checkImage(o.UF2); err != nil {
		return nil, err
	}
	dir, err := runnerDir(o.Dir)
	if err != nil {
		return nil, err
	}
	node := o.Node
	if node == "" {
		node = "node"
	}
	if node, err = exec.LookPath(node); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotInstalled, err)
	}
	if o.BootROM == "" {
		if o.BootROM, err = FindBootROM(); err != nil {
			return nil, err
		}
	}
	for _, f := range []string{o.UF2, o.BootROM} {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("emulator: %w", err)
		}
	}
	args := []string{filepath.Join(dir, "runner.mjs")}
	if o.UART {
		args = append(args, "--serial=uart")
	}
	if o.Verbose {
		args = append(args, "--verbose")
	}
	args = append(args, o.BootROM, o.UF2)
	cmd := exec.Command(node, args...)
	cmd.Dir = dir
	cmd.Stderr = o.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	// Stdout through an io.Pipe rather than StdoutPipe, so that Wait may
	// run while it is read: Wait returns once the runner's output is copied.
	stdout, stdoutW := io.Pipe()
	cmd.Stdout = stdoutW
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	e := &Emulator{cmd: cmd, stdin: stdin, times: make(chan int64, 1), done: make(chan struct{})}
	port := make(chan string, 1)
	go e.readStdout(stdout, port, o.Stderr)
	go func() {
		e.err = cmd.Wait()
		stdoutW.Close()
		close(e.done)
	}()

	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	var addr string
	select {
	case p := <-port:
		addr = net.JoinHostPort("127.0.0.1", p)
	case <-e.done:
		return nil, fmt.Errorf("emulator: runner exited before listening: %v", e.err)
	case <-ctx.Done():
		e.Stop()
		return nil, fmt.Errorf("emulator: runner did not listen: %w", ctx.Err())
	}
	var d net.Dialer
	if e.conn, err = d.DialContext(ctx, "tcp", addr); err != nil {
		e.Stop()
		return nil, fmt.Errorf("emulator: %w", err)
	}
	return e, nil
}

// ErrNoBootROM reports that FindBootROM found no boot ROM.
var ErrNoBootROM = errors.New("emulator: no RP2040 boot ROM (set GATOMQTT_RP2040_BOOTROM to bootrom-b1.bin)")

// FindBootROM returns the RP2040 boot ROM's path: $GATOMQTT_RP2040_BOOTROM,
// else rp2040/bootrom-b1.bin in the shared folder that lies beside the
// project's checkout on its build machines and in CI.
func FindBootROM() (string, error) {
	if p := os.Getenv("GATOMQTT_RP2040_BOOTROM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("emulator: GATOMQTT_RP2040_BOOTROM: %w", err)
		}
		return p, nil
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", ErrNoBootROM
	}
	// file is <checkout>/boards/emulator/emulator.go.
	p := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "rp2040", "bootrom-b1.bin")
	if _, err := os.Stat(p); err != nil {
		return "", ErrNoBootROM
	}
	return filepath.Clean(p), nil
}

// runnerDir returns the runner's folder, checking that its dependencies
// are installed.
func runnerDir(dir string) (string, error) {
	if dir == "" {
		_, file, _, ok := runtime.Caller(0)
		if !ok {
			return "", errors.New("emulator: cannot locate the runner; set Options.Dir")
		}
		dir = filepath.Join(filepath.Dir(file), "rp2040")
	}
	if _, err := os.Stat(filepath.Join(dir, "runner.mjs")); err != nil {
		return "", fmt.Errorf("emulator: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "rp2040js", "package.json")); err != nil {
		return "", fmt.Errorf("%w: %s has no node_modules/rp2040js", ErrNotInstalled, dir)
	}
	return dir, nil
}

// readStdout reads the runner's lines: the port it listens on, then the
// answers to "time" queries. Status lines (--verbose) go to status.
func (e *Emulator) readStdout(r io.Reader, port chan<- string, status io.Writer) {
	s := bufio.NewScanner(r)
	for s.Scan() {
		verb, arg, _ := strings.Cut(s.Text(), " ")
		switch {
		case strings.HasPrefix(verb, "{") && status != nil:
			fmt.Fprintf(status, "status %s\n", s.Text())
		}
		switch verb {
		case "listening":
			select {
			case port <- arg:
			default:
			}
		case "time":
			if n, err := strconv.ParseInt(arg, 10, 64); err == nil {
				select {
				case e.times <- n:
				default: // an answer nobody waits for any more
				}
			}
		}
	}
	io.Copy(io.Discard, r) // a line too long for the scanner: keep the runner unblocked
}

// Line returns the board's serial port.
func (e *Emulator) Line() io.ReadWriteCloser { return e.conn }

// Conn returns the board's serial port as the TCP connection it is, for
// its deadlines.
func (e *Emulator) Conn() net.Conn { return e.conn }

// Pid returns the runner's process id.
func (e *Emulator) Pid() int { return e.cmd.Process.Pid }

// EmulatedTime returns how long the firmware has run since reset, in the
// emulator's time.
func (e *Emulator) EmulatedTime(timeout time.Duration) (time.Duration, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	select {
	case <-e.times: // the late answer to a query that timed out
	default:
	}
	if _, err := io.WriteString(e.stdin, "time\n"); err != nil {
		return 0, fmt.Errorf("emulator: %w", err)
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case n := <-e.times:
		return time.Duration(n), nil
	case <-e.done:
		return 0, errors.New("emulator: runner exited")
	case <-t.C:
		return 0, errors.New("emulator: no answer to a time query")
	}
}

// Done is closed when the runner has exited.
func (e *Emulator) Done() <-chan struct{} { return e.done }

// Stop closes the serial port and ends the runner: it closes the runner's
// stdin, which makes it exit, and kills it if it has not within a few
// seconds. It reports how the runner ended unless that was by Stop.
func (e *Emulator) Stop() error {
	e.stopOnce.Do(func() {
		if e.conn != nil {
			e.conn.Close()
		}
		e.stdin.Close()
		select {
		case <-e.done:
		case <-time.After(5 * time.Second):
			e.cmd.Process.Kill()
			<-e.done
			e.stopErr = errors.New("emulator: runner killed after it ignored stdin closing")
			return
		}
		if e.err != nil {
			e.stopErr = fmt.Errorf("emulator: runner: %w", e.err)
		}
	})
	return e.stopErr
}

// checkImage refuses a firmware image the RP2040 bootrom would not write.
func checkImage(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("emulator: firmware image: %w", err)
	}
	if _, err := uf2.Validate(data, uf2.RP2040); err != nil {
		return fmt.Errorf("emulator: %s is not an image the RP2040 bootrom takes: %w", path, err)
	}
	return nil
}
