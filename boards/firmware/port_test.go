package firmware

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"
)

// fakePort buffers bytes as a TinyGo UART's interrupt handler would.
type fakePort struct {
	mu  sync.Mutex
	in  bytes.Buffer
	out bytes.Buffer
}

func (f *fakePort) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.out.Write(p)
}
func (f *fakePort) Buffered() int           { f.mu.Lock(); defer f.mu.Unlock(); return f.in.Len() }
func (f *fakePort) ReadByte() (byte, error) { f.mu.Lock(); defer f.mu.Unlock(); return f.in.ReadByte() }
func (f *fakePort) arrive(p []byte)         { f.mu.Lock(); defer f.mu.Unlock(); f.in.Write(p) }

func TestPortLineBlocksUntilBytesArrive(t *testing.T) {
	port := &fakePort{}
	line := NewPortLine(port, 100*time.Microsecond, 0)
	got := make(chan []byte, 1)
	go func() {
		b := make([]byte, 8)
		n, _ := line.Read(b)
		got <- b[:n]
	}()
	select {
	case b := <-got:
		t.Fatalf("Read returned %q before any byte arrived", b)
	default:
	}
	port.arrive([]byte("abc"))
	select {
	case b := <-got:
		if string(b) != "abc" {
			t.Errorf("Read = %q, want abc", b)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read still blocked 5 s after bytes arrived")
	}
	if _, err := line.Write([]byte("xyz")); err != nil || port.out.String() != "xyz" {
		t.Errorf("Write: %q %v", port.out.String(), err)
	}
}

type failingPort struct{ fakePort }

var errPort = errors.New("port gone")

func (f *failingPort) ReadByte() (byte, error) { return 0, errPort }
func (f *failingPort) Buffered() int           { return 1 }

func TestPortLineReportsPortErrors(t *testing.T) {
	line := NewPortLine(&failingPort{}, time.Millisecond, 0)
	if _, err := line.Read(make([]byte, 4)); !errors.Is(err, errPort) {
		t.Errorf("Read error %v, want the port's", err)
	}
}

// fifoPort takes at most 64 bytes per Write, and nothing while its FIFO
// is full, like the ESP32-C3's USB-Serial/JTAG.
type fifoPort struct {
	fakePort
	free  int
	calls int
}

var errFIFOFull = errors.New("USB: could not write all data")

func (f *fifoPort) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if len(p) > 64 {
		return 0, errors.New("USB: invalid write size")
	}
	n := min(len(p), f.free)
	f.out.Write(p[:n])
	f.free -= n
	if f.free == 0 {
		f.free = 64 // the host reads the FIFO before the next call
	}
	if n < len(p) {
		return n, errFIFOFull
	}
	return n, nil
}

func TestPortLineWritesThroughASmallFIFO(t *testing.T) {
	port := &fifoPort{free: 10}
	line := NewPortLine(port, time.Microsecond, 64)
	msg := bytes.Repeat([]byte("0123456789"), 30)
	if n, err := line.Write(msg); n != len(msg) || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if !bytes.Equal(port.out.Bytes(), msg) {
		t.Errorf("port got %d bytes, not the message", port.out.Len())
	}
	if port.calls < len(msg)/64 {
		t.Errorf("%d port writes for %d bytes in chunks of 64", port.calls, len(msg))
	}
}
