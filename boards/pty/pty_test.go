//go:build linux

package pty_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	"go.bug.st/serial"

	"github.com/gatomqtt/gatomqtt/boards/pty"
)

// patience bounds every wait: bytes on a pty arrive in microseconds.
const patience = 5 * time.Second

func open(t *testing.T) *pty.PTY {
	t.Helper()
	p, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// readN reads exactly n bytes from r, which must be bounded by a deadline
// or a read timeout so that a lost byte fails the test instead of hanging
// it.
func readN(t *testing.T, r io.Reader, n int) []byte {
	t.Helper()
	got := make([]byte, n)
	if _, err := io.ReadFull(r, got); err != nil {
		t.Fatalf("read %d bytes: %v", n, err)
	}
	return got
}

// payloads are the bytes a terminal would change if it were not raw: NUL,
// LF and CR (mapping, output processing), ^C (a signal), XON and XOFF
// (flow control), DEL and ^U (line editing), ^D (end of file in canonical
// mode), and every byte value once.
var payloads = []struct {
	name string
	data []byte
}{
	{"NUL", []byte{0x00}},
	{"LF", []byte{0x0a}},
	{"CR", []byte{0x0d}},
	{"CRLF", []byte{0x0d, 0x0a}},
	{"ctrl-C", []byte{0x03}},
	{"XON XOFF", []byte{0x11, 0x13, 0x11}},
	{"XOFF alone", []byte{0x13}},
	{"editing", []byte{0x7f, 0x15, 0x17, 0x04, 0x1a, 0x1c}},
	{"every byte", func() []byte {
		b := make([]byte, 256)
		for i := range b {
			b[i] = byte(i)
		}
		return b
	}()},
}

func TestBytesPassUnchanged(t *testing.T) {
	p := open(t)
	slave, err := os.OpenFile(p.SlavePath, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer slave.Close()
	deadline := time.Now().Add(patience)
	for _, f := range []*os.File{p.Master, slave} {
		if err := f.SetDeadline(deadline); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range payloads {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := p.Master.Write(tt.data); err != nil {
				t.Fatal(err)
			}
			if got := readN(t, slave, len(tt.data)); !bytes.Equal(got, tt.data) {
				t.Fatalf("master to slave: got % x, want % x", got, tt.data)
			}
			if _, err := slave.Write(tt.data); err != nil {
				t.Fatal(err)
			}
			if got := readN(t, p.Master, len(tt.data)); !bytes.Equal(got, tt.data) {
				t.Fatalf("slave to master: got % x, want % x", got, tt.data)
			}
		})
	}
	// Nothing more may come: no echo of what the master wrote, no
	// expansion of what the slave wrote.
	for name, f := range map[string]*os.File{"master": p.Master, "slave": slave} {
		f.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if n, err := f.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("%s: extra bytes: %d, %v", name, n, err)
		}
	}
}

// TestSerialOpen opens the slave as the harness does, with
// go.bug.st/serial, and passes every payload both ways through it.
func TestSerialOpen(t *testing.T) {
	p := open(t)
	for round := range 2 { // a second host session after the first closed
		port, err := serial.Open(p.SlavePath, &serial.Mode{BaudRate: 115200})
		if err != nil {
			t.Fatalf("session %d: serial.Open(%s): %v", round, p.SlavePath, err)
		}
		if err := port.SetReadTimeout(patience); err != nil {
			t.Fatal(err)
		}
		p.Master.SetDeadline(time.Now().Add(patience))
		for _, tt := range payloads {
			if _, err := p.Master.Write(tt.data); err != nil {
				t.Fatal(err)
			}
			// serial's Read returns 0, nil on its timeout, which
			// io.ReadFull would retry forever: use a bounded loop.
			got := make([]byte, 0, len(tt.data))
			buf := make([]byte, len(tt.data))
			for len(got) < len(tt.data) {
				n, err := port.Read(buf[:len(tt.data)-len(got)])
				if err != nil || n == 0 {
					t.Fatalf("session %d, %s: serial read after %d bytes: %d, %v", round, tt.name, len(got), n, err)
				}
				got = append(got, buf[:n]...)
			}
			if !bytes.Equal(got, tt.data) {
				t.Fatalf("session %d, %s: master to serial: got % x, want % x", round, tt.name, got, tt.data)
			}
			if _, err := port.Write(tt.data); err != nil {
				t.Fatal(err)
			}
			if got := readN(t, p.Master, len(tt.data)); !bytes.Equal(got, tt.data) {
				t.Fatalf("session %d, %s: serial to master: got % x, want % x", round, tt.name, got, tt.data)
			}
		}
		if err := port.Close(); err != nil {
			t.Fatal(err)
		}
		// With no client on the slave, the master must wait for bytes,
		// not fail with EIO.
		p.Master.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if n, err := p.Master.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("master read with no client: %d, %v; want a timeout", n, err)
		}
	}
}

// TestCloseWakesMaster checks that Close ends a Read blocked on the
// master, which is how the twin stops serving.
func TestCloseWakesMaster(t *testing.T) {
	p, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := p.Master.Read(make([]byte, 1))
		done <- err
	}()
	// Close either lands before the Read (which then fails at once) or
	// wakes it: both must end it.
	p.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Read after Close succeeded")
		}
	case <-time.After(patience):
		t.Fatal("Read still blocked after Close")
	}
}
