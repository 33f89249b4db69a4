package boardtarget

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

func init() {
	target.Register("twin", parseTwin)
	target.Register("emulated", parseEmulated)
	target.Register("serial", parseSerial)
	target.Register("rfc2217", parseRFC2217)
}

// parseTwin reads twin:<board>[?faults=spec&twin=path&firmware=image]:
// the board's Go twin, built from cmd/gatomqtt-twin unless twin= names a
// binary. With firmware= the twin starts with erased flash and its boot
// ROM on an RFC 2217 port, and the target flashes the image through that
// port exactly as it flashes a board (rfc2217:// with firmware=), so the
// twin runs what was flashed; circuit=bridge gives an ESP32-C3 twin a
// USB-UART bridge's auto-reset circuit and a line paced at its baud rate
// instead of the USB-Serial/JTAG.
func parseTwin(u *url.URL) (target.Target, error) {
	if u.Host != "" || u.Path != "" || u.Opaque == "" {
		return nil, fmt.Errorf("want twin:<board>")
	}
	p, err := profileOf(u.Opaque)
	if err != nil {
		return nil, err
	}
	o := target.NewOptions(u)
	tw := &twin{profile: p, faults: o.String("faults", ""), bin: o.String("twin", "")}
	if tw.flashed, err = readFlashing(o, p); err != nil {
		return nil, err
	}
	tw.circuit = o.String("circuit", "")
	if tw.circuit != "" && tw.flashed == nil {
		return nil, errors.New("option circuit= is the twin's boot ROM's, which only firmware= starts")
	}
	if tw.flashed != nil && tw.faults != "" {
		return nil, errors.New("options faults= and firmware= do not go together: the twin's faulty line is a pty, its boot ROM is served over RFC 2217")
	}
	// The twin serves TLS-PSK with a key drawn here for this target and
	// passed by flag, so the target knows the key the hello never sends.
	if tw.pskIdentity, tw.pskKey, err = drawPSK(); err != nil {
		return nil, err
	}
	t, err := newBoardTarget(target.Redact(u), p, o, tw.start)
	if err != nil {
		return nil, err
	}
	t.pskIdentity, t.pskKey, t.flashed = tw.pskIdentity, tw.pskKey, tw.flashed
	if err := o.Err(); err != nil {
		return nil, err
	}
	return t, nil
}

// A twin is a gatomqtt-twin process and the pty it serves.
type twin struct {
	profile     *boards.Profile
	faults      string
	bin         string
	pskIdentity string
	pskKey      []byte
	flashed     *flashing
	circuit     string // the ESP32-C3's reset circuit: usb-jtag or bridge
}

// pskKeyBytes is the length of the TLS-PSK keys drawn for twins.
const pskKeyBytes = 32

// drawPSK draws a TLS-PSK identity and key for a twin.
func drawPSK() (identity string, key []byte, err error) {
	b := make([]byte, 4+pskKeyBytes)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("drawing a TLS-PSK key for the twin: %w", err)
	}
	return "gatomqtt-twin-" + hex.EncodeToString(b[:4]), b[4:], nil
}

// twinPath is the import path the target builds the twin from.
const twinPath = "github.com/gatomqtt/gatomqtt/cmd/gatomqtt-twin"

// build compiles the twin into dir, unless the target names a binary.
func (tw *twin) build(ctx context.Context, dir string) (string, error) {
	if tw.bin != "" {
		return tw.bin, nil
	}
	bin := filepath.Join(dir, "gatomqtt-twin")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, twinPath)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the twin (go build %s): %w\n%s", twinPath, err, out)
	}
	return bin, nil
}

// start runs the twin, reads the pty path it prints and opens the pty.
func (tw *twin) start(ctx context.Context) (io.ReadWriteCloser, string, func() error, error) {
	dir, err := os.MkdirTemp("", "gatomqtt-twin-")
	if err != nil {
		return nil, "", nil, err
	}
	bin, err := tw.build(ctx, dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", nil, err
	}
	args := []string{"-board", tw.profile.Name, "-psk-identity", tw.pskIdentity, "-psk-key", hex.EncodeToString(tw.pskKey)}
	if tw.faults != "" {
		args = append(args, "-faults", tw.faults)
	}
	if tw.flashed != nil {
		args = append(args, "-rfc2217", "127.0.0.1:0", "-erased")
		if tw.profile.Name == boards.Pico.Name {
			// The twin's BOOTSEL drive is a folder of this run's; the
			// flasher looks there.
			drive := filepath.Join(dir, "RPI-RP2")
			args = append(args, "-bootsel-dir", drive)
			tw.flashed.drives = []string{drive}
		}
		if tw.circuit != "" {
			args = append(args, "-circuit", tw.circuit)
		}
	}
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", nil, err
	}
	// The twin's stderr goes to a file beside its binary, read back only
	// to say why it failed.
	logPath := filepath.Join(dir, "twin.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", nil, err
	}
	defer logFile.Close() // the child holds its own descriptor
	cmd.Stderr = logFile
	said := func() string {
		b, _ := os.ReadFile(logPath)
		return strings.TrimSpace(string(b[max(0, len(b)-4096):]))
	}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, "", nil, fmt.Errorf("starting the twin: %w", err)
	}
	exited := make(chan error, 1)
	stop := func() error {
		defer os.RemoveAll(dir)
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				return fmt.Errorf("the %s twin did not exit cleanly: %w; it said: %s", tw.profile.Name, err, said())
			}
			return nil
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			return fmt.Errorf("the %s twin ignored SIGTERM for 10s and was killed; it said: %s", tw.profile.Name, said())
		}
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- strings.TrimSpace(sc.Text())
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout) // nothing more is promised; never block the twin
		exited <- cmd.Wait()
	}()
	var path string
	select {
	case p, ok := <-lines:
		if !ok || p == "" {
			return nil, "", nil, errors.Join(fmt.Errorf("the %s twin printed no pty path", tw.profile.Name), stop())
		}
		path = p
	case <-ctx.Done():
		return nil, "", nil, errors.Join(fmt.Errorf("waiting for the twin's pty: %w", ctx.Err()), stop())
	}
	if tw.flashed != nil {
		port, what, err := tw.flash(ctx, path)
		if err != nil {
			return nil, "", nil, errors.Join(err, stop())
		}
		return port, "the " + tw.profile.Name + " twin's " + what, stop, nil
	}
	port, err := openPort(path, tw.profile.Baud)
	if err != nil {
		return nil, "", nil, errors.Join(err, stop())
	}
	return port, "the " + tw.profile.Name + " twin's pty " + path, stop, nil
}

// flash writes the target's image to a twin whose boot ROM serves the
// RFC 2217 port at url, then opens the port to what it booted.
func (tw *twin) flash(ctx context.Context, url string) (io.ReadWriteCloser, string, error) {
	addr, ok := strings.CutPrefix(url, "rfc2217://")
	if !ok {
		return nil, "", fmt.Errorf("the %s twin printed %q, not its RFC 2217 port", tw.profile.Name, url)
	}
	open, err := tw.flashed.write(ctx, tw.profile, rfc2217Port(addr))
	if err != nil {
		return nil, "", err
	}
	rctx, cancel := context.WithTimeout(ctx, reenumeration)
	defer cancel()
	return reopen(rctx, open, tw.profile.Baud)
}
