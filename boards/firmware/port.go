package firmware

import (
	"io"
	"time"
)

// Port is what TinyGo's machine.Serial offers on every board: a Write, a
// ReadByte that never blocks and a count of buffered bytes.
type Port interface {
	Write(p []byte) (int, error)
	ReadByte() (byte, error)
	Buffered() int
}

// portLine makes a Port a blocking io.ReadWriter for the link.
type portLine struct {
	port     Port
	poll     time.Duration
	maxWrite int
}

// NewPortLine returns a line over port. Read waits for bytes by polling
// every poll: TinyGo's serial ports buffer what arrives and do not block,
// and the sleep lets the scheduler run the broker between polls. Write
// hands the port at most maxWrite bytes at a time (0: no limit) and, when
// the port takes fewer because its FIFO is full, waits a poll and goes on:
// the ESP32-C3's USB-Serial/JTAG takes 64 bytes per call and refuses more
// until the host has read them. A host that never reads therefore holds
// the link's sender, and nothing else.
func NewPortLine(port Port, poll time.Duration, maxWrite int) io.ReadWriter {
	return &portLine{port: port, poll: poll, maxWrite: maxWrite}
}

func (p *portLine) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	for p.port.Buffered() == 0 {
		time.Sleep(p.poll)
	}
	n := 0
	for n < len(b) && p.port.Buffered() > 0 {
		c, err := p.port.ReadByte()
		if err != nil {
			return n, err
		}
		b[n] = c
		n++
	}
	return n, nil
}

func (p *portLine) Write(b []byte) (int, error) {
	written := 0
	for written < len(b) {
		chunk := b[written:]
		if p.maxWrite > 0 && len(chunk) > p.maxWrite {
			chunk = chunk[:p.maxWrite]
		}
		n, err := p.port.Write(chunk)
		written += n
		if err != nil && n == 0 {
			time.Sleep(p.poll)
		}
	}
	return written, nil
}
