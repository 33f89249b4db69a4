package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log"
	"net"
	"sync"

	"github.com/gatomqtt/gatomqtt/boards/bootrom"
	"github.com/gatomqtt/gatomqtt/boards/flash/esprom"
)

// romBaud is the ROM's UART rate after reset.
const romBaud = 115200

// esp32c3ROM is the ESP32-C3's boot ROM: strapping through the port's
// circuit, the serial loader (esprom.Emulator) on the line, and the boot
// check of what it flashed.
type esp32c3ROM struct {
	strap *bootrom.Strapping
	rom   *esprom.Emulator
	line  *boardLine
	port  *port
	log   *log.Logger
	evs   chan romEvent

	mu      sync.Mutex
	session *boardRun // the serial loader's, while it runs
	dtr     bool
	rts     bool
}

func newESP32C3ROM(circuit bootrom.Circuit, p *port, line *boardLine, logger *log.Logger) *esp32c3ROM {
	r := &esp32c3ROM{strap: bootrom.NewStrapping(circuit), port: p, line: line, log: logger, evs: make(chan romEvent, 16)}
	// Each twin has its own factory MAC, as each chip does (and its USB
	// serial number is the MAC): Espressif's OUI, the rest drawn.
	mac := net.HardwareAddr{0x60, 0x55, 0xf9, 0, 0, 0}
	rand.Read(mac[3:])
	logger.Printf("factory MAC %v", mac)
	r.rom = esprom.NewEmulator(esprom.EmulatorOptions{
		MAC: mac,
		// The ROM leaves its loader when told to at FLASH_END.
		OnEnd: func(e esprom.EndEvent) { r.evs <- evBoot },
		// CHANGE_BAUDRATE moves the ROM's UART.
		OnBaud: func(baud int) { r.port.setChipBaud(baud) },
	})
	go func() {
		for ev := range r.strap.Events() {
			switch {
			case ev.Reset:
				r.evs <- evReset
			case ev.Mode == bootrom.DownloadBoot:
				r.evs <- evDownload
			default:
				r.evs <- evBoot
			}
		}
	}()
	return r
}

func (r *esp32c3ROM) events() <-chan romEvent { return r.evs }

func (r *esp32c3ROM) present() bool { return true }

// The ROM loader's UART follows the host's rate as the bridge sets it;
// over USB-Serial/JTAG there is no rate.
func (r *esp32c3ROM) setBaud(int) {}

func (r *esp32c3ROM) setDTR(on bool) { r.strap.SetDTR(on) }
func (r *esp32c3ROM) setRTS(on bool) { r.strap.SetRTS(on) }

func (r *esp32c3ROM) setLines(dtr, rts bool) { r.strap.SetLines(dtr, rts) }

// banner is what the ROM prints when it leaves reset.
func (r *esp32c3ROM) banner(mode bootrom.BootMode) {
	boot := 0xc
	if mode == bootrom.DownloadBoot {
		boot = 0x5
	}
	fmt.Fprintf(r.port, "ESP-ROM:esp32c3-api1-20210207\r\nBuild:Feb  7 2021\r\nrst:0x1 (POWERON),boot:0x%x (%v)\r\n", boot, mode)
}

func (r *esp32c3ROM) enterLoader(ctx context.Context) {
	r.port.setChipBaud(romBaud)
	r.banner(bootrom.DownloadBoot)
	fmt.Fprint(r.port, "waiting for download\r\n")
	run := r.line.attach()
	r.mu.Lock()
	r.session = run
	r.mu.Unlock()
	go func() {
		err := r.rom.Serve(ctx, run)
		r.log.Printf("ROM loader session ended: %v", err)
	}()
}

func (r *esp32c3ROM) leaveLoader() {
	r.mu.Lock()
	run := r.session
	r.session = nil
	r.mu.Unlock()
	if run != nil {
		run.Close()
	}
}

func (r *esp32c3ROM) image() (string, bool, error) {
	if len(r.rom.Regions()) == 0 {
		return "", false, nil
	}
	b, err := bootrom.BootFromFlash(r.rom.Flash())
	return b.BuildID, true, err
}

// refuse prints what the ROM prints for a flash it cannot boot; the real
// ROM then retries and prints it again, which the twin spares the line.
func (r *esp32c3ROM) refuse(_ context.Context, why error) {
	r.port.setChipBaud(romBaud)
	if why == errErased {
		_, why = bootrom.BootFromFlash(r.rom.Flash())
	}
	r.banner(bootrom.FlashBoot)
	fmt.Fprintf(r.port, "%v\r\n", why)
}
