package bootrom

import (
	"fmt"
	"sync"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/firmware"
	"github.com/gatomqtt/gatomqtt/boards/flash/espimage"
)

// Circuit is how a host's DTR and RTS reach an ESP32-C3's EN (reset) and
// GPIO9 (boot strapping) pins.
type Circuit int

const (
	// USBSerialJTAG is the chip's built-in USB port (303A:1001), which
	// decodes the modem lines itself: RTS set with DTR clear holds the
	// chip in reset; clearing RTS boots it, into the ROM loader if DTR
	// is set then or was set with RTS clear since the last boot.
	USBSerialJTAG Circuit = iota
	// AutoReset is a USB-UART bridge's two-transistor circuit: EN is low
	// while RTS is set and DTR clear, GPIO9 low while DTR is set and RTS
	// clear, and both lines set (or both clear) leave both pins high. EN
	// rises through an RC delay, so the chip samples GPIO9 when it leaves
	// reset, after the host has moved on to its next step.
	AutoReset
)

func (c Circuit) String() string {
	switch c {
	case USBSerialJTAG:
		return "USB-Serial/JTAG"
	case AutoReset:
		return "USB-UART bridge with auto-reset"
	}
	return fmt.Sprintf("Circuit(%d)", int(c))
}

// BootMode is what an ESP32-C3 does when it leaves reset.
type BootMode int

const (
	// FlashBoot runs the application in flash (GPIO9 high).
	FlashBoot BootMode = iota
	// DownloadBoot stays in the ROM's serial loader (GPIO9 low).
	DownloadBoot
)

func (m BootMode) String() string {
	if m == DownloadBoot {
		return "DOWNLOAD(USB/UART0)"
	}
	return "SPI_FAST_FLASH_BOOT"
}

// A StrapEvent is a change of the chip's state that the modem lines
// caused: it entered reset, or it left reset in a boot mode.
type StrapEvent struct {
	Reset bool     // the chip is now held in reset
	Mode  BootMode // when Reset is false: how it booted
}

// rcDelay is how long EN takes to rise through the auto-reset circuit's
// RC network: far longer than the gap between two modem-line commands,
// far shorter than the holds of the reset sequences.
const rcDelay = 10 * time.Millisecond

// Strapping follows the modem lines of an ESP32-C3's port and reports
// its resets and boots on Events, in order.
type Strapping struct {
	circuit Circuit
	events  chan StrapEvent

	mu       sync.Mutex
	dtr, rts bool
	armed    bool // USB-Serial/JTAG: download mode requested
	inReset  bool
	rising   *time.Timer // AutoReset: EN on its way up
}

// NewStrapping returns the strapping of a chip behind circuit, running
// (out of reset) with both lines clear.
func NewStrapping(circuit Circuit) *Strapping {
	return &Strapping{circuit: circuit, events: make(chan StrapEvent, 16)}
}

// Events delivers the resets and boots, in order. A reader must keep up:
// events beyond 16 unread ones are dropped, as a chip reset again before
// it booted never booted.
func (s *Strapping) Events() <-chan StrapEvent { return s.events }

// SetDTR and SetRTS follow the host's modem lines, one at a time as
// RFC 2217 carries them.
func (s *Strapping) SetDTR(on bool) { s.SetLines(on, s.line(&s.rts)) }
func (s *Strapping) SetRTS(on bool) { s.SetLines(s.line(&s.dtr), on) }

func (s *Strapping) line(l *bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *l
}

// SetLines sets both lines at once, as a port's close drops both.
func (s *Strapping) SetLines(dtr, rts bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dtr, s.rts = dtr, rts
	switch s.circuit {
	case USBSerialJTAG:
		s.usbJTAG()
	default:
		s.autoReset()
	}
}

func (s *Strapping) emit(ev StrapEvent) {
	select {
	case s.events <- ev:
	default:
	}
}

// usbJTAG decodes the lines as the USB-Serial/JTAG controller does.
func (s *Strapping) usbJTAG() {
	switch {
	case !s.dtr && s.rts:
		if !s.inReset {
			s.inReset = true
			s.emit(StrapEvent{Reset: true})
		}
	case s.inReset && !s.rts:
		s.inReset = false
		mode := FlashBoot
		if s.armed || s.dtr {
			mode = DownloadBoot
		}
		s.armed = false
		s.emit(StrapEvent{Mode: mode})
	case s.dtr && !s.rts:
		s.armed = true
	}
}

// autoReset follows EN through the bridge's circuit and the RC delay.
func (s *Strapping) autoReset() {
	enLow := s.rts && !s.dtr
	switch {
	case enLow:
		if s.rising != nil {
			s.rising.Stop()
			s.rising = nil
		}
		if !s.inReset {
			s.inReset = true
			s.emit(StrapEvent{Reset: true})
		}
	case s.inReset && s.rising == nil:
		var t *time.Timer
		t = time.AfterFunc(rcDelay, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.rising != t {
				return // EN fell again before it was up
			}
			s.rising, s.inReset = nil, false
			mode := FlashBoot
			if s.dtr && !s.rts { // GPIO9 low as the chip samples it
				mode = DownloadBoot
			}
			s.emit(StrapEvent{Mode: mode})
		})
		s.rising = t
	}
}

// An ESP32C3Boot is what the ROM found in flash when it booted from it.
type ESP32C3Boot struct {
	Image   espimage.Info
	BuildID string // stamped in the image (firmware.FindBuildID); "" when none
}

// BootFromFlash checks the image at offset 0 of flash as the ROM's
// loader does before it runs one: an ESP image for the ESP32-C3 whose
// checksum and appended SHA-256 hold. The error is what the ROM would
// print instead of running it.
func BootFromFlash(flash []byte) (ESP32C3Boot, error) {
	var b ESP32C3Boot
	if len(flash) > 0 && flash[0] != espimage.Magic {
		w := flash[:min(4, len(flash))]
		return b, fmt.Errorf("invalid header: 0x%02x%02x%02x%02x", at(w, 3), at(w, 2), at(w, 1), at(w, 0))
	}
	info, err := espimage.Check(flash, espimage.ESP32C3)
	if err != nil {
		return b, err
	}
	b.Image = info
	b.BuildID, _ = firmware.FindBuildID(flash[:info.Size])
	return b, nil
}

func at(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}
