package boardtarget

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"go.bug.st/serial"

	"github.com/gatomqtt/gatomqtt/boards/flash"
	"github.com/gatomqtt/gatomqtt/boards/rfc2217"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

// parseSerial reads serial://<device path>?board=<name>[&baud=n]: a board
// already running the firmware on a serial port. serial://auto finds the
// port, and board=auto the board, from the ports' USB identities (see
// resolveAuto).
func parseSerial(u *url.URL) (target.Target, error) {
	path := u.Path
	if u.Opaque != "" {
		path = u.Opaque
	}
	if u.Host == autoPort && (path == "" || path == "/") {
		c := *u
		u, c.Host, path = &c, "", autoPort
	}
	if u.Host != "" || path == "" {
		return nil, fmt.Errorf("want serial:///dev/<port>?board=<name>, or serial://auto?board=<name|auto>")
	}
	u, path, err := resolveAuto(u, path)
	if err != nil {
		return nil, err
	}
	return parsePort(u, path, boardPort{
		open:   deviceOpener(path),
		pico:   func() flash.PicoPort { return &flash.PicoSerial{Device: path} },
		reopen: deviceOpener,
	})
}

// deviceOpener opens the serial device at path.
func deviceOpener(path string) portOpener {
	return func(_ context.Context, baud int) (io.ReadWriteCloser, string, error) {
		port, err := openPort(path, baud)
		return port, "serial port " + path, err
	}
}

// parseRFC2217 reads rfc2217://<host:port>?board=<name>[&baud=n]: a board
// running the firmware on a serial port that a board farm serves over
// RFC 2217, as ser2net does. The options are serial://'s.
func parseRFC2217(u *url.URL) (target.Target, error) {
	if u.Host == "" || u.Path != "" && u.Path != "/" || u.Opaque != "" {
		return nil, fmt.Errorf("want rfc2217://<host:port>?board=<name>")
	}
	if strings.EqualFold(u.Query().Get("board"), autoBoard) {
		return nil, fmt.Errorf("board=auto reads a local port's USB identity, which an RFC 2217 port does not show: give board=esp32c3 or board=pico")
	}
	return parsePort(u, u.Host, rfc2217Port(u.Host))
}

// rfc2217Port is the board port an RFC 2217 server at addr serves: the
// same address before and after a flash.
func rfc2217Port(addr string) boardPort {
	return boardPort{
		open:   rfc2217Opener(addr),
		pico:   func() flash.PicoPort { return &flash.PicoRFC2217{Addr: addr} },
		reopen: func(string) portOpener { return rfc2217Opener(addr) },
	}
}

// rfc2217Opener opens the RFC 2217 port at addr.
func rfc2217Opener(addr string) portOpener {
	return func(ctx context.Context, baud int) (io.ReadWriteCloser, string, error) {
		port, err := rfc2217.Dial(ctx, addr)
		if err != nil {
			return nil, "", fmt.Errorf("RFC 2217 port %s: %w", addr, err)
		}
		if _, err := port.SetBaudRate(ctx, baud); err != nil {
			port.Close()
			return nil, "", fmt.Errorf("RFC 2217 port %s: setting %d baud: %w", addr, baud, err)
		}
		return port, "RFC 2217 port " + addr, nil
	}
}

// parsePort builds the target of a board on a port that where names and
// open opens at a baud rate: the board=, baud= and psk_* options are read
// here for every kind of port.
func parsePort(u *url.URL, where string, bp boardPort) (target.Target, error) {
	o := target.NewOptions(u)
	board := o.String("board", "")
	if board == "" {
		return nil, fmt.Errorf("option board=<name> is required: which firmware to expect on %s", where)
	}
	p, err := profileOf(board)
	if err != nil {
		return nil, fmt.Errorf("option board: %w", err)
	}
	baud := o.Int("baud", p.Baud)
	pskIdentity, pskKey, err := serialPSK(o)
	if err != nil {
		return nil, err
	}
	fl, err := readFlashing(o, p)
	if err != nil {
		return nil, err
	}
	t, err := newBoardTarget(target.Redact(u), p, o, func(ctx context.Context) (io.ReadWriteCloser, string, func() error, error) {
		if fl == nil {
			port, what, err := bp.open(ctx, baud)
			if err != nil {
				return nil, "", nil, err
			}
			return port, what, func() error { return nil }, nil
		}
		open, err := fl.write(ctx, p, bp)
		if err != nil {
			return nil, "", nil, err
		}
		rctx, cancel := context.WithTimeout(ctx, reenumeration)
		defer cancel()
		port, what, err := reopen(rctx, open, baud)
		if err != nil {
			return nil, "", nil, err
		}
		return port, what, func() error { return nil }, nil
	})
	if err != nil {
		return nil, err
	}
	t.flashed = fl
	t.exclusive = true
	t.pskIdentity, t.pskKey = pskIdentity, pskKey
	if err := o.Err(); err != nil {
		return nil, err
	}
	return t, nil
}

// reenumeration bounds how long a board's port takes to come back after
// the reset that ends a flash.
const reenumeration = 15 * time.Second

// serialPSK reads psk_key=<hex> and psk_identity=<id>, the key of the
// firmware's TLS-PSK (which its hello never sends) and, optionally, the
// identity its hello must name: with them the target declares the
// firmware's TLS-PSK endpoint, as tcp targets declare a broker's with
// psk=, psk_identity= and psk_key=.
func serialPSK(o *target.Options) (string, []byte, error) {
	id, keyHex := o.String("psk_identity", ""), o.String("psk_key", "")
	if keyHex == "" {
		if id != "" {
			return "", nil, errors.New("option psk_identity needs psk_key=<hex>, the key the firmware serves TLS-PSK with")
		}
		return "", nil, nil
	}
	key, err := hex.DecodeString(keyHex)
	if err != nil || len(key) == 0 {
		return "", nil, errors.New("option psk_key needs non-empty hex")
	}
	return id, key, nil
}

// openPort opens a serial port in raw mode, turning the serial library's
// errors into ones that name the port and what to do.
func openPort(path string, baud int) (serial.Port, error) {
	port, err := serial.Open(path, &serial.Mode{BaudRate: baud})
	if err == nil {
		return port, nil
	}
	var pe *serial.PortError
	if errors.As(err, &pe) {
		switch pe.Code() {
		case serial.PortBusy:
			return nil, fmt.Errorf("serial port %s is in use by another program (close it, or its serial monitor): %w", path, err)
		case serial.PortNotFound:
			return nil, fmt.Errorf("serial port %s does not exist (is the board plugged in?): %w", path, err)
		case serial.PermissionDenied:
			return nil, fmt.Errorf("serial port %s: permission denied (add yourself to the dialout group): %w", path, err)
		}
	}
	return nil, fmt.Errorf("opening serial port %s at %d baud: %w", path, baud, err)
}
