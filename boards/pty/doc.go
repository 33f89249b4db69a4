// Package pty creates a pseudo-terminal that stands in for a board's
// serial port: the Go twin of a board (cmd/gatomqtt-twin) serves the
// link on the master end, and the host opens the slave end by its path
// exactly as it would open /dev/ttyACM0.
//
// Open uses only the standard library: it opens /dev/ptmx, unlocks the
// slave (TIOCSPTLCK), asks its number (TIOCGPTN) and puts the slave into
// raw mode (TCGETS/TCSETS): no echo, no canonical mode, no signals, no
// XON/XOFF, no CR/LF mapping in either direction, no output processing,
// 8 data bits, no parity, one stop bit. Every byte value therefore passes
// unchanged both ways, as on a real UART.
//
// The PTY keeps one descriptor of the slave open for its whole life.
// Without it, reading the master fails with EIO whenever no client has
// the slave open (before the host opens it, and between two host
// sessions), and the last close of the slave would hang the line up.
// The price is that bytes the master writes while no client listens wait
// in the terminal's input queue (a few KiB; further writes then block)
// and the next client reads them first: the link protocol resynchronises
// on them as it would on line noise.
//
// # Opening the slave from the host
//
// go.bug.st/serial opens the slave as it opens a USB serial port:
//
//	port, err := serial.Open(p.SlavePath, &serial.Mode{BaudRate: 115200})
//
// Leave Mode.InitialStatusBits nil: only then does serial.Open skip the
// modem-line ioctls (TIOCMGET/TIOCMSET), which a pseudo-terminal does not
// implement. The baud rate is accepted and has no effect: a pty carries
// bytes as fast as both ends move them. serial.Open also takes exclusive
// access (TIOCEXCL) and its Close gives it back, so one host at a time
// holds the port, as with a real board.
//
// # Limits
//
// Linux only; Open returns ErrUnsupported on other systems. There are no
// modem lines (DTR/RTS resets and the 1200-baud bootloader touch of real
// boards do not exist here) and no line faults: wrap the master in
// boards/linefault for those.
package pty
