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
	port Port
	poll time.Duration
}

// NewPortLine returns a line whose Read waits for bytes by polling port
// every poll: TinyGo's serial ports buffer what arrives under interrupt
// and do not block, and the sleep lets the scheduler run the broker
// between polls.
func NewPortLine(port Port, poll time.Duration) io.ReadWriter {
	return &portLine{port: port, poll: poll}
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

func (p *portLine) Write(b []byte) (int, error) { return p.port.Write(b) }
