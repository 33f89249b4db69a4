package main

import (
	"context"
	"errors"
	"log"
)

// picoROM is the RP2040's bootrom: a 1200-baud touch drops the board
// into BOOTSEL, whose drive takes a UF2.
type picoROM struct {
	evs chan romEvent
}

func newPicoROM(_ *port, _ *log.Logger) (*picoROM, error) {
	return nil, errors.New("the Pico's bootrom is not emulated yet")
}

func (r *picoROM) events() <-chan romEvent       { return r.evs }
func (r *picoROM) present() bool                 { return true }
func (r *picoROM) setBaud(int)                   {}
func (r *picoROM) setDTR(bool)                   {}
func (r *picoROM) setRTS(bool)                   {}
func (r *picoROM) setLines(bool, bool)           {}
func (r *picoROM) enterLoader(context.Context)   {}
func (r *picoROM) leaveLoader()                  {}
func (r *picoROM) image() (string, bool, error)  { return "", false, nil }
func (r *picoROM) refuse(context.Context, error) {}
