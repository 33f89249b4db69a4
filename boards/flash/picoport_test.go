package flash

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/discover"
	"github.com/gatomqtt/gatomqtt/boards/rfc2217"
)

// fakeSysfs makes class/tty/<tty>/device below root resolve into the USB
// interface directory of the device at usbPath, as Linux lays it out.
func fakeSysfs(t *testing.T, root, tty, usbPath string) {
	t.Helper()
	iface := filepath.Join(root, "devices/pci0000:00/0000:00:14.0/usb1", usbPath, usbPath+":1.0")
	ttyDir := filepath.Join(iface, "tty", tty)
	if err := os.MkdirAll(ttyDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../..", filepath.Join(ttyDir, "device")); err != nil {
		t.Fatal(err)
	}
	class := filepath.Join(root, "class", "tty")
	if err := os.MkdirAll(class, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(ttyDir, filepath.Join(class, tty)); err != nil {
		t.Fatal(err)
	}
}

// TestPicoSerialBack: the port that comes back is the one at the touched
// port's USB path, not the bootrom's nor another Pico's, whatever its
// device name now.
func TestPicoSerialBack(t *testing.T) {
	root := t.TempDir()
	fakeSysfs(t, root, "ttyACM0", "1-1.2")
	pico := func(path, usb string, pid uint16) discover.Port {
		return discover.Port{Path: path, VID: 0x2e8a, PID: pid, USBPath: usb}
	}
	tests := []struct {
		name  string
		lists [][]discover.Port // what successive enumerations see; the last repeats
		want  string            // "" when Back must time out
		err   string
	}{
		{"same name", [][]discover.Port{nil, {pico("/dev/ttyACM0", "1-1.2", 0x000a)}}, "/dev/ttyACM0", ""},
		{"new name after the bootrom", [][]discover.Port{
			{pico("/dev/ttyACM1", "1-1.3", 0x000a)},
			{pico("/dev/ttyACM1", "1-1.3", 0x000a), pico("/dev/ttyACM0", "1-1.2", 0x0003)},
			{pico("/dev/ttyACM1", "1-1.3", 0x000a), pico("/dev/ttyACM2", "1-1.2", 0x000a)},
		}, "/dev/ttyACM2", ""},
		{"only another Pico and the bootrom", [][]discover.Port{
			{pico("/dev/ttyACM1", "1-1.3", 0x000a), pico("/dev/ttyACM0", "1-1.2", 0x0003)},
		}, "", "no port at USB port 1-1.2 (ports seen: /dev/ttyACM1 2e8a:000a at 1-1.3; /dev/ttyACM0 2e8a:0003 at 1-1.2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			n := 0
			p := &PicoSerial{Device: "/dev/ttyACM0", SysRoot: root, Poll: time.Millisecond, List: func() ([]discover.Port, error) {
				mu.Lock()
				defer mu.Unlock()
				l := tt.lists[min(n, len(tt.lists)-1)]
				n++
				return slices.Clone(l), nil
			}}
			if err := p.record(); err != nil {
				t.Fatal(err)
			}
			d := 10 * time.Second
			if tt.want == "" {
				d = 50 * time.Millisecond
			}
			ctx, cancel := context.WithTimeout(context.Background(), d)
			defer cancel()
			got, err := p.Back(ctx)
			if got != tt.want || tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("Back = %q, %v; want %q, error %q", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestPicoSerialTouchErrors(t *testing.T) {
	root := t.TempDir()
	fakeSysfs(t, root, "ttyACM0", "1-1.2")
	for _, tt := range []struct{ device, want string }{
		{"/dev/ttyACM7", "finding the USB port of /dev/ttyACM7"},
		{filepath.Join(t.TempDir(), "ttyACM0"), "at 1200 baud"}, // known to sysfs, no device
	} {
		p := &PicoSerial{Device: tt.device, SysRoot: root}
		if err := p.Touch(context.Background()); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Touch(%s): %v; want %q", tt.device, err, tt.want)
		}
	}
	p := &PicoSerial{List: func() ([]discover.Port, error) { return nil, errors.New("no enumerator") }}
	if _, err := p.Back(context.Background()); err == nil || !strings.Contains(err.Error(), "no enumerator") {
		t.Errorf("Back with a failing List: %v", err)
	}
}

// recLine is a serial line behind an RFC 2217 server that records what
// the client set.
type recLine struct {
	net.Conn
	mu  sync.Mutex
	got []string
}

func (l *recLine) SetBaudRate(baud int) error { return l.add("baud", baud) }
func (l *recLine) SetDTR(on bool) error       { return l.add("DTR", on) }
func (l *recLine) SetRTS(on bool) error       { return l.add("RTS", on) }

func (l *recLine) add(name string, v any) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, fmt.Sprintf("%s=%v", name, v))
	return nil
}

// serve runs an RFC 2217 server for line on 127.0.0.1; accept decides,
// per connection, whether it is served or hung up on, as ser2net hangs
// up while its device is gone.
func serve(t *testing.T, line rfc2217.Line, accept func(n int) bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for n := 0; ; n++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if !accept(n) {
				c.Close()
				continue
			}
			(&rfc2217.Server{Line: line}).ServeConn(ctx, c)
			c.Close()
		}
	}()
	t.Cleanup(func() { cancel(); ln.Close(); wg.Wait() })
	return ln.Addr().String()
}

// TestPicoRFC2217 touches through a real RFC 2217 server: the line sees
// 1200 baud then DTR dropped; Back waits through hang-ups.
func TestPicoRFC2217(t *testing.T) {
	dev, host := net.Pipe()
	defer dev.Close()
	defer host.Close()
	line := &recLine{Conn: host}
	var mu sync.Mutex
	back := false // whether the "device" is there for new connections
	addr := serve(t, line, func(n int) bool {
		mu.Lock()
		defer mu.Unlock()
		if n == 0 {
			return true // the touch
		}
		if n >= 3 {
			back = true
		}
		return back
	})
	p := &PicoRFC2217{Addr: addr, Backoff: time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Touch(ctx); err != nil {
		t.Fatal(err)
	}
	line.mu.Lock()
	got := strings.Join(line.got, " ")
	line.mu.Unlock()
	if got != "baud=1200 DTR=false" {
		t.Errorf("the line saw %q, want baud=1200 DTR=false", got)
	}
	name, err := p.Back(ctx)
	if err != nil || name != "rfc2217://"+addr {
		t.Fatalf("Back = %q, %v", name, err)
	}
	mu.Lock()
	if !back {
		t.Error("Back returned before the server served a connection again")
	}
	mu.Unlock()
}

func TestPicoRFC2217NotBack(t *testing.T) {
	addr := serve(t, nil, func(int) bool { return false })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	p := &PicoRFC2217{Addr: addr, Backoff: time.Millisecond}
	if _, err := p.Back(ctx); err == nil || !strings.Contains(err.Error(), "dialling "+addr) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Back: %v", err)
	}
	if err := p.Touch(ctx); err == nil || !strings.Contains(err.Error(), "dialling") {
		t.Fatalf("Touch: %v", err)
	}
}
