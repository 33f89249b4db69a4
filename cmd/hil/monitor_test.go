package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/boards/discover"
	"github.com/gatomqtt/gatomqtt/boards/firmware"
	"github.com/gatomqtt/gatomqtt/boards/rfc2217"
)

// syncBuffer is a bytes.Buffer that a command writes while a test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls out until it contains want, for up to 10 s.
func waitFor(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("output never contained %q; it is:\n%s", want, out)
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, bounded above
	}
}

// boardLine is the host's end of a line whose other end a board serves,
// behind an RFC 2217 server; it records the modem lines set on it.
type boardLine struct {
	net.Conn
	mu    sync.Mutex
	modem []string
}

func (l *boardLine) SetBaudRate(int) error { return nil }
func (l *boardLine) SetDTR(on bool) error  { return l.record("DTR", on) }
func (l *boardLine) SetRTS(on bool) error  { return l.record("RTS", on) }

func (l *boardLine) record(name string, on bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.modem = append(l.modem, name)
	return nil
}

// serve serves line over RFC 2217 on 127.0.0.1, as a board farm's
// ser2net does, and returns the address.
func serve(t *testing.T, line *boardLine) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		(&rfc2217.Server{Line: line}).ServeConn(ctx, c)
	}()
	t.Cleanup(func() { cancel(); ln.Close(); line.Close(); <-done })
	return "rfc2217://" + ln.Addr().String()
}

// runningBoard runs the firmware core of p at one end of a pipe, served
// over RFC 2217.
func runningBoard(t *testing.T, p *boards.Profile) (*firmware.Core, *boardLine, string) {
	t.Helper()
	host, dev := net.Pipe()
	core, err := firmware.Start(dev, p, firmware.Options{Version: "v9.9", BuildID: "b0a7d", Platform: "go twin", Epoch: 7})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { core.Link.Close(); dev.Close() })
	line := &boardLine{Conn: host}
	return core, line, serve(t, line)
}

// monitor runs hil monitor with args until the test cancels its context
// or it ends by itself.
func monitor(t *testing.T, args ...string) (cancel func(), out, errOut *syncBuffer, code <-chan int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut = &syncBuffer{}, &syncBuffer{}
	c := make(chan int, 1)
	go func() { c <- run(ctx, append([]string{"monitor"}, args...), out, errOut) }()
	t.Cleanup(cancel)
	return cancel, out, errOut, c
}

func TestMonitorPrintsHelloLogsAndStats(t *testing.T) {
	core, line, addr := runningBoard(t, &boards.Pico)
	cancel, out, errOut, code := monitor(t, "-port", addr, "-board", "pico", "-stats", "20ms")
	waitFor(t, out, "hello: board pico, chip RP2040, version v9.9, build b0a7d, platform go twin")
	core.Log("sensor 3 says hi")
	waitFor(t, out, " sensor 3 says hi\n")
	waitFor(t, out, "stats: uptime ")
	cancel()
	select {
	case c := <-code:
		if c != exitOK {
			t.Errorf("exit %d on interrupt, want 0; stderr:\n%s", c, errOut)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("hil monitor did not end on interrupt")
	}
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if _, err := time.Parse("15:04:05.000", strings.SplitN(l, " ", 2)[0]); err != nil {
			t.Errorf("line without a timestamp: %q", l)
		}
	}
	line.mu.Lock()
	defer line.mu.Unlock()
	if len(line.modem) != 0 {
		t.Errorf("monitor drove the modem lines %v; opening the port must not reset the board", line.modem)
	}
}

// TestMonitorSaysWhenTheLinkEnds: a port that goes away ends the monitor
// with status 1 and the reason, rather than leaving it watching nothing.
func TestMonitorSaysWhenTheLinkEnds(t *testing.T) {
	_, line, addr := runningBoard(t, &boards.Pico)
	_, out, errOut, code := monitor(t, "-port", addr, "-board", "pico")
	waitFor(t, out, "hello: board pico")
	line.Close() // the board's side of the port is gone
	select {
	case c := <-code:
		if c != exitFail || !strings.Contains(errOut.String(), "link on") {
			t.Errorf("exit %d, stderr %q; want 1 and the link's end", c, errOut)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("hil monitor still watching a port that is gone")
	}
}

func TestMonitorNoHello(t *testing.T) {
	host, dev := net.Pipe()
	line := &boardLine{Conn: host}
	addr := serve(t, line)
	// A board in its ROM loader: text, then silence.
	go func() {
		io.WriteString(dev, "ESP-ROM:esp32c3-api1-20210207\r\nwaiting for download\r\n")
		io.Copy(io.Discard, dev)
	}()
	t.Cleanup(func() { dev.Close() })
	_, _, errOut, code := monitor(t, "-port", addr, "-board", "esp32c3", "-hello", "300ms")
	select {
	case c := <-code:
		if c != exitFail {
			t.Errorf("exit %d, want 1", c)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("hil monitor did not give up waiting for a hello")
	}
	for _, want := range []string{"no hello from the firmware", "ESP-ROM:esp32c3-api1-20210207\\r\\n"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr does not say %q:\n%s", want, errOut)
		}
	}
}

func TestMonitorRefusals(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "rfc2217://" + ln.Addr().String()
	ln.Close()
	tests := []struct {
		args []string
		code int
		want string
	}{
		{nil, exitUsage, "-port is required"},
		{[]string{"-port", "/dev/ttyACM0", "extra"}, exitUsage, "usage: hil monitor"},
		{[]string{"-port", "/dev/ttyACM0", "-board", "uno"}, exitUsage, `unknown -board "uno"`},
		{[]string{"-port", "rfc2217://farm:4000"}, exitUsage, "-board auto reads a local port's USB identity"},
		{[]string{"-port", closed, "-board", "pico"}, exitFail, "opening " + closed},
		{[]string{"-port", "/dev/ttyNOPE", "-board", "pico"}, exitFail, "opening /dev/ttyNOPE"},
	}
	for _, tt := range tests {
		out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
		c := run(context.Background(), append([]string{"monitor"}, tt.args...), out, errOut)
		if c != tt.code || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("hil monitor %q = %d, stderr:\n%s\nwant %d and %q", tt.args, c, errOut, tt.code, tt.want)
		}
	}
}

func TestMonitorBoard(t *testing.T) {
	ports := []discover.Port{
		{Path: "/dev/ttyACM0", VID: 0x2E8A, PID: 0x000A, Kind: discover.PicoFirmware},
		{Path: "/dev/ttyACM1", VID: 0x303A, PID: 0x1001, Kind: discover.ESP32C3USBJTAG},
		{Path: "/dev/ttyUSB0", VID: 0x10C4, PID: 0xEA60, Kind: discover.USBUARTBridge},
	}
	saved := listPorts
	t.Cleanup(func() { listPorts = saved })
	tests := []struct {
		port, board string
		listErr     error
		want        string // the board, or a substring of the error
		usage       bool
	}{
		{port: "/dev/ttyACM0", board: "auto", want: "pico"},
		{port: "/dev/ttyACM1", board: "auto", want: "esp32c3"},
		{port: "/dev/ttyUSB0", board: "esp32c3", want: "esp32c3"},
		{port: "/dev/ttyUSB0", board: "auto", want: "cannot tell the board on /dev/ttyUSB0 from its USB identity 10c4:ea60"},
		{port: "/dev/ttyS0", board: "auto", want: "/dev/ttyS0 is not among the USB serial ports"},
		{port: "/dev/ttyACM0", board: "auto", listErr: errors.New("no sysfs"), want: "no sysfs; give -board"},
		{port: "rfc2217://farm:4000", board: "auto", want: "RFC 2217 port does not show", usage: true},
		{port: "/dev/ttyACM0", board: "esp8266", want: "unknown -board", usage: true},
	}
	for _, tt := range tests {
		listPorts = func() ([]discover.Port, error) { return ports, tt.listErr }
		p, err := monitorBoard(tt.port, tt.board)
		var usage *usageError
		switch {
		case err == nil && p.Name != tt.want:
			t.Errorf("monitorBoard(%s, %s) = %s, want %s", tt.port, tt.board, p.Name, tt.want)
		case err != nil && (!strings.Contains(err.Error(), tt.want) || errors.As(err, &usage) != tt.usage):
			t.Errorf("monitorBoard(%s, %s): %v (usage %v), want %q (usage %v)", tt.port, tt.board, err, errors.As(err, &usage), tt.want, tt.usage)
		}
	}
}
