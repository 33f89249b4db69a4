package emulator_test

import (
	"bytes"
	"context"
	"errors"
	"io"
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
// runtime's own heap figures, a clock that keeps to the wall clock, a
// line that takes the host's bytes fast enough for the link, and a reset
// that reboots the machine.
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
	// The firmware's clock keeps to the wall clock: over at least two
	// seconds its uptime grows by as much, not faster by more than a
	// quarter (without keepTime it ran 12 times as fast) and not slower by
	// more than half, the margin below being for the pauses of a virtual
	// machine on a loaded host, which stop QEMU's guest but not the wall
	// clock (a run in CI measured 0.64 over one second).
	var st2 firmware.Stats
	for time.Since(wall1) < 2*time.Second {
		if st2, err = client.Stats(10 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	wall := time.Since(wall1)
	board := time.Duration(st2.UptimeMillis-st1.UptimeMillis) * time.Millisecond
	if ratio := float64(board) / float64(wall); ratio < 0.5 || ratio > 1.25 {
		t.Errorf("the firmware's clock ran %v while the wall clock ran %v (ratio %.2f)", board, wall, ratio)
	}
	t.Logf("heap in use %d bytes; clock %v over %v of wall time", st1.HeapInUse, board, wall)

	lineRate(t, l, s, r, write)

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

// lineRate sends the firmware a burst of large QoS 0 PUBLISH packets
// (to a topic nobody subscribes to, within the broker's burst allowance),
// then a PINGREQ, and checks how fast the bytes got there. QEMU's NS16550
// once took the host's bytes one per poll of the firmware (a receive
// trigger level of 1), about 4 KB/s: a window of full link frames then
// took longer to cross than the link's largest retransmission timeout,
// and the link resent frames by the thousand (the QoS 1 soak took a
// minute or more and now and then stalled for seconds).
func lineRate(t *testing.T, l *link.Link, s io.Writer, r *packet.Reader, write func(p interface{ Append([]byte) ([]byte, error) })) {
	const (
		packets = 30 // within ESP32C3Limits.PublishBurst
		payload = 480
	)
	before := l.Stats()
	start := time.Now()
	for i := range packets {
		write(packet.Publish{Topic: []byte("qemu/burst"), Payload: bytes.Repeat([]byte{byte('a' + i%26)}, payload)})
	}
	write(packet.Pingreq{})
	if p, err := r.ReadPacket(); err != nil {
		t.Fatalf("PINGRESP after the burst: %v", err)
	} else if _, ok := p.(*packet.Pingresp); !ok {
		t.Fatalf("PINGREQ after the burst answered with %+v", p)
	}
	elapsed := time.Since(start)
	after := l.Stats()
	sent := after.BytesSent - before.BytesSent
	frames, resent := after.FramesSent-before.FramesSent, after.Retransmits-before.Retransmits
	rate := float64(sent) / elapsed.Seconds()
	t.Logf("burst: %d line bytes in %v (%.0f B/s), %d frames, %d resent (%d timeouts)",
		sent, elapsed, rate, frames, resent, after.Timeouts-before.Timeouts)
	if rate < minLineRate {
		t.Errorf("the firmware took the host's bytes at %.0f B/s, want at least %d", rate, minLineRate)
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

// minLineRate is what lineRate wants at least, in line bytes per second:
// four times what the trigger level of 1 allowed (5.5 KB/s measured), a
// fifth of what level 14 gives on an idle machine (96 KB/s), leaving room
// for a loaded one and the race detector.
const minLineRate = 20_000
