package flash

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"go.bug.st/serial"

	"github.com/gatomqtt/gatomqtt/boards/discover"
	"github.com/gatomqtt/gatomqtt/boards/rfc2217"
)

// The RP2040 bootrom's USB identity; its port, if any, is not the
// firmware's.
const (
	bootromVID = 0x2e8a
	bootromPID = 0x0003
)

// PicoSerial is a Pico's USB CDC port on this machine.
//
// Identical Picos share the bootrom's serial number and the firmware may
// have none, so the port that comes back is recognised by its USB port
// path, read from sysfs before the touch. Where there is no USB path
// (off Linux), it is recognised by its device name reappearing.
type PicoSerial struct {
	// Device is the port's device, e.g. /dev/ttyACM0 or a
	// /dev/serial/by-path link.
	Device string
	// List enumerates the USB serial ports; nil means discover.List.
	List func() ([]discover.Port, error)
	// SysRoot is the sysfs tree USB paths are read from; "" means
	// discover.SysfsRoot.
	SysRoot string
	// Poll is how often Back enumerates the ports; zero means 100 ms.
	Poll time.Duration

	usbPath string // of Device, recorded by Touch
}

// Touch records the port's USB path, then opens it at 1200 baud, drops
// DTR and closes it, which TinyGo's and the pico-sdk's USB CDC take as
// the request to reset into the bootrom.
func (p *PicoSerial) Touch(ctx context.Context) error {
	if err := p.record(); err != nil {
		return err
	}
	s, err := serial.Open(p.Device, &serial.Mode{BaudRate: 1200})
	if err != nil {
		return fmt.Errorf("opening %s at 1200 baud: %w", p.Device, err)
	}
	if err := s.SetDTR(false); err != nil {
		s.Close()
		return fmt.Errorf("dropping DTR on %s: %w", p.Device, err)
	}
	// The firmware may already be resetting, taking the device with it.
	s.Close()
	return nil
}

// record reads Device's USB path, following links to the tty it names.
// Off Linux there is none, and Back falls back to the device name; on
// Linux a port without one is not a USB port, so not a Pico's.
func (p *PicoSerial) record() error {
	root := p.SysRoot
	if root == "" {
		root = discover.SysfsRoot
	}
	dev := p.Device
	if real, err := filepath.EvalSymlinks(dev); err == nil {
		dev = real
	}
	path, err := discover.USBPath(root, filepath.Base(dev))
	if err != nil && runtime.GOOS == "linux" {
		return fmt.Errorf("finding the USB port of %s: %w", p.Device, err)
	}
	p.usbPath = path
	return nil
}

// Back waits, enumerating the ports every Poll until ctx is done, for a
// port at the USB path Touch recorded that is not the bootrom's, and
// returns its device name.
func (p *PicoSerial) Back(ctx context.Context) (string, error) {
	list := p.List
	if list == nil {
		list = discover.List
	}
	t := time.NewTicker(timeout(p.Poll, 100*time.Millisecond))
	defer t.Stop()
	var seen []string
	for {
		ports, err := list()
		if err != nil {
			return "", err
		}
		seen = seen[:0]
		for _, q := range ports {
			seen = append(seen, fmt.Sprintf("%s %s at %s", q.Path, q.VIDPID(), orNone(q.USBPath)))
			if q.VID == bootromVID && q.PID == bootromPID {
				continue
			}
			if p.usbPath != "" && q.USBPath == p.usbPath || p.usbPath == "" && q.Path == p.Device {
				return q.Path, nil
			}
		}
		select {
		case <-ctx.Done():
			where := "USB port " + p.usbPath
			if p.usbPath == "" {
				where = p.Device
			}
			return "", fmt.Errorf("no port at %s (ports seen: %s): %w", where, orNone(strings.Join(seen, "; ")), ctx.Err())
		case <-t.C:
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// PicoRFC2217 is a Pico's USB CDC port served over RFC 2217 by a board
// farm (ser2net or boards/rfc2217's Server).
type PicoRFC2217 struct {
	// Addr is the server's host:port.
	Addr string
	// Backoff is the first pause between Back's dials, doubled up to
	// 1 s; zero means 50 ms.
	Backoff time.Duration
}

// Touch dials the port, sets 1200 baud, drops DTR and hangs up.
func (p *PicoRFC2217) Touch(ctx context.Context) error {
	c, err := rfc2217.Dial(ctx, p.Addr)
	if err != nil {
		return fmt.Errorf("dialling %s: %w", p.Addr, err)
	}
	defer c.Close()
	if _, err := c.SetBaudRate(ctx, 1200); err != nil {
		return fmt.Errorf("setting %s to 1200 baud: %w", p.Addr, err)
	}
	if err := c.SetDTR(false); err != nil && !errors.Is(err, io.EOF) {
		// EOF is the touch working: the board rebooted and its port went
		// away before the answer to the DTR drop came back.
		return fmt.Errorf("dropping DTR on %s: %w", p.Addr, err)
	}
	return nil
}

// Back redials until a dial and its RFC 2217 negotiation succeed, which
// a server does once its device is there again, hangs up and returns
// rfc2217://Addr.
func (p *PicoRFC2217) Back(ctx context.Context) (string, error) {
	pause := timeout(p.Backoff, 50*time.Millisecond)
	for {
		dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		c, err := rfc2217.Dial(dctx, p.Addr)
		cancel()
		if err == nil {
			c.Close()
			return "rfc2217://" + p.Addr, nil
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", fmt.Errorf("dialling %s: %w (last: %v)", p.Addr, ctx.Err(), err)
		case <-t.C:
		}
		pause = min(2*pause, time.Second)
	}
}
