package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"sync"

	"github.com/gatomqtt/gatomqtt/boards/bootrom"
)

// touchBaud is the rate whose setting, with DTR cleared, asks the Pico's
// firmware to reboot into BOOTSEL (the 1200-baud touch).
const touchBaud = 1200

// picoROM is the RP2040's bootrom: a 1200-baud touch on the firmware's
// USB serial port reboots the board into BOOTSEL, where the port is gone
// and a drive (a folder here) takes a UF2; an accepted UF2 reboots the
// board into it. A flash without a valid boot2 (erased, or refused by
// the boot check) sends the bootrom to BOOTSEL too.
type picoROM struct {
	bootsel *bootrom.BOOTSEL
	port    *port
	log     *log.Logger
	stderr  io.Writer
	evs     chan romEvent

	mu      sync.Mutex
	baud    int
	dtr     bool
	inBOOT  bool               // in BOOTSEL: no serial port
	stop    context.CancelFunc // ends the BOOTSEL session's Wait
	flashed []byte             // what the last accepted UF2 left in flash
}

func newPicoROM(p *port, dir string, logger *log.Logger, stderr io.Writer) *picoROM {
	r := &picoROM{port: p, log: logger, stderr: stderr, evs: make(chan romEvent, 16), baud: p.baud}
	r.bootsel = &bootrom.BOOTSEL{Dir: dir, Logf: logger.Printf}
	return r
}

func (r *picoROM) events() <-chan romEvent { return r.evs }

func (r *picoROM) present() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.inBOOT
}

func (r *picoROM) setBaud(b int) {
	r.mu.Lock()
	r.baud = b
	r.mu.Unlock()
	r.checkTouch()
}

func (r *picoROM) setDTR(on bool) {
	r.mu.Lock()
	r.dtr = on
	r.mu.Unlock()
	r.checkTouch()
}

func (r *picoROM) setRTS(bool) {}

func (r *picoROM) setLines(dtr, _ bool) { r.setDTR(dtr) }

// checkTouch reboots into BOOTSEL once the line is at 1200 baud with DTR
// clear, as the firmware's USB CDC does.
func (r *picoROM) checkTouch() {
	r.mu.Lock()
	touched := r.baud == touchBaud && !r.dtr && !r.inBOOT
	if touched {
		r.baud = 0 // the next firmware starts its line afresh
	}
	r.mu.Unlock()
	if touched {
		r.log.Printf("1200-baud touch")
		r.evs <- evDownload
	}
}

// enterLoader drops the serial port, shows the drive and waits for a UF2.
func (r *picoROM) enterLoader(ctx context.Context) {
	r.mu.Lock()
	r.inBOOT = true
	r.mu.Unlock()
	r.port.drop()
	if err := r.bootsel.Enter(); err != nil {
		r.log.Printf("%v", err)
		return
	}
	// Announced whatever -v says: nothing else tells a user where to copy.
	fmt.Fprintf(r.stderr, "gatomqtt-twin: BOOTSEL: drive RPI-RP2 at %s\n", r.bootsel.Dir)
	wctx, cancel := context.WithCancel(ctx)
	r.mu.Lock()
	r.stop = cancel
	r.mu.Unlock()
	go func() {
		defer cancel()
		if _, err := r.bootsel.Wait(wctx); err != nil {
			return
		}
		r.mu.Lock()
		r.flashed = r.bootsel.Flash()
		r.mu.Unlock()
		r.log.Printf("BOOTSEL: UF2 accepted, rebooting")
		r.evs <- evBoot
	}()
}

func (r *picoROM) leaveLoader() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stop != nil {
		r.stop()
		r.stop = nil
	}
	r.inBOOT = false
}

func (r *picoROM) image() (string, bool, error) {
	r.mu.Lock()
	f := r.flashed
	r.mu.Unlock()
	if f == nil {
		return "", false, nil
	}
	b, err := bootrom.BootRP2040(f)
	return b.BuildID, true, err
}

// refuse: the bootrom finds no boot2 it runs and shows its drive.
func (r *picoROM) refuse(ctx context.Context, _ error) { r.enterLoader(ctx) }
