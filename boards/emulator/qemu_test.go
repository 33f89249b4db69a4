package emulator_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/boards/emulator"
	"github.com/gatomqtt/gatomqtt/boards/firmware"
	"github.com/gatomqtt/gatomqtt/boards/link"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// qemuELF returns the ESP32-C3 firmware for QEMU: $GATOMQTT_ESP32C3_QEMU_ELF
// when set, else one built with TinyGo into a temporary folder.
func qemuELF(t *testing.T) string {
	if p := os.Getenv("GATOMQTT_ESP32C3_QEMU_ELF"); p != "" {
		return p
	}
	// Building with TinyGo and running QEMU take both cores for a while:
	// only on request, not in every go test ./... (ci/test.sh runs this
	// test after its firmware step, on the image that step built).
	tinygo := findTinyGo()
	if tinygo == "" || os.Getenv("GATOMQTT_QEMU_BUILD") == "" {
		t.Skip("no firmware: set GATOMQTT_ESP32C3_QEMU_ELF, or GATOMQTT_QEMU_BUILD=1 with a TinyGo that builds it")
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	out := filepath.Join(t.TempDir(), "esp32c3-qemu.elf")
	stamp, err := firmware.BuildStamp("qemu-test")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tinygo, "build", "-target=boards/esp32c3/qemu.json", "-stack-size=4KB",
		"-ldflags=-X main.buildID="+stamp, "-o", out, "./boards/esp32c3")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd, err, b)
	}
	return out
}

// TestESP32C3OnQEMU boots the TinyGo-built ESP32-C3 firmware on QEMU's
// riscv32 virt machine: its hello, MQTT over a link stream, the TinyGo
// runtime's own heap figures, a clock that keeps to the wall clock, and a
// reset that reboots the machine.
func TestESP32C3OnQEMU(t *testing.T) {
	if testing.Short() {
		t.Skip("boots the firmware in QEMU; skipped with -short")
	}
	elf := qemuELF(t)
	q, err := emulator.StartESP32C3(context.Background(), emulator.QEMUOptions{ELF: elf, Stderr: testWriter{t}})
	if errors.Is(err, emulator.ErrNotInstalled) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := q.Stop(); err != nil {
			t.Error(err)
		}
	}()
	cfg := boards.ESP32C3.Link
	cfg.Epoch = epoch(t)
	l, err := link.New(q.Line(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	client := firmware.NewClient(l.Control(), func(line string) { t.Logf("board: %s", line) })
	hello, err := client.Hello(helloTimeout)
	if err != nil {
		t.Fatalf("hello: %v (link: %v)", err, l.Err())
	}
	if hello.Board != "esp32c3" || !strings.HasPrefix(hello.Platform, "tinygo on QEMU") {
		t.Errorf("hello from %q on %q, want esp32c3 on tinygo on QEMU", hello.Board, hello.Platform)
	}
	if os.Getenv("GATOMQTT_ESP32C3_QEMU_ELF") == "" && hello.BuildID != "qemu-test" {
		t.Errorf("hello build id %q, want the stamped qemu-test", hello.BuildID)
	}

	s, err := l.Open()
	if err != nil {
		t.Fatal(err)
	}
	r := packet.NewReader(s, make([]byte, 256))
	write := func(p interface{ Append([]byte) ([]byte, error) }) {
		b, err := p.Append(nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	write(packet.Connect{ClientID: []byte("qemu"), CleanSession: true, KeepAlive: 60})
	if p, err := r.ReadPacket(); err != nil {
		t.Fatalf("CONNACK: %v", err)
	} else if ack, ok := p.(*packet.Connack); !ok || ack.ReturnCode != packet.Accepted {
		t.Fatalf("CONNECT answered with %+v", p)
	}
	write(packet.Pingreq{})
	if p, err := r.ReadPacket(); err != nil {
		t.Fatalf("PINGRESP: %v", err)
	} else if _, ok := p.(*packet.Pingresp); !ok {
		t.Fatalf("PINGREQ answered with %+v", p)
	}

	// The TinyGo runtime's own heap, inside the RAM the linker script
	// gives the chip (386 832 bytes).
	st1, err := client.Stats(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	wall1 := time.Now()
	if st1.HeapInUse == 0 || st1.HeapInUse > 386832 || st1.Connections != 1 {
		t.Errorf("stats %+v: want 1 connection and a heap in use within the chip's RAM", st1)
	}
	// The firmware's clock keeps to the wall clock: over at least a second
	// its uptime grows by the same, within a fifth.
	var st2 firmware.Stats
	for time.Since(wall1) < time.Second {
		if st2, err = client.Stats(10 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	wall := time.Since(wall1)
	board := time.Duration(st2.UptimeMillis-st1.UptimeMillis) * time.Millisecond
	if ratio := float64(board) / float64(wall); ratio < 0.8 || ratio > 1.2 {
		t.Errorf("the firmware's clock ran %v while the wall clock ran %v (ratio %.2f)", board, wall, ratio)
	}
	t.Logf("heap in use %d bytes; clock %v over %v of wall time", st1.HeapInUse, board, wall)

	if err := client.Reset(firmware.Reboot); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadPacket(); !errors.Is(err, link.ErrPeerReset) {
		t.Fatalf("stream after the reset: %v, want link.ErrPeerReset", err)
	}
	if _, err := client.Hello(helloTimeout); err != nil {
		t.Fatalf("hello after the reset: %v", err)
	}
}

func TestQEMURefusesWhatIsNotItsImage(t *testing.T) {
	text := filepath.Join(t.TempDir(), "x.elf")
	if err := os.WriteFile(text, []byte("not an ELF"), 0o644); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable() // an ELF, for this host's machine
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct{ path, want string }{
		"missing": {text + ".none", "build it with"},
		"text":    {text, "not an ELF file"},
		"host":    {self, "not a 32-bit RISC-V executable"},
	} {
		_, err := emulator.StartESP32C3(context.Background(), emulator.QEMUOptions{ELF: tc.path})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", name, err, tc.want)
		}
	}
}
