package rfc2217_test

import (
	"context"
	"log"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/rfc2217"
)

// Reset a board served by ser2net into its bootloader the way esptool
// does (DTR and RTS drive EN and GPIO0 through two transistors), then
// write to it.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	port, err := rfc2217.Dial(ctx, "127.0.0.1:2217")
	if err != nil {
		log.Fatal(err)
	}
	defer port.Close()

	if _, err := port.SetBaudRate(ctx, 115200); err != nil {
		log.Fatal(err)
	}
	for _, step := range []struct {
		dtr, rts bool
		hold     time.Duration
	}{
		{dtr: false, rts: true, hold: 100 * time.Millisecond}, // EN low: reset
		{dtr: true, rts: false, hold: 50 * time.Millisecond},  // EN high, GPIO0 low: bootloader
		{dtr: false, rts: false},
	} {
		if err := port.SetDTR(step.dtr); err != nil {
			log.Fatal(err)
		}
		if err := port.SetRTS(step.rts); err != nil {
			log.Fatal(err)
		}
		time.Sleep(step.hold)
	}
	if _, err := port.Write([]byte{0xc0, 0x00, 0x08}); err != nil {
		log.Fatal(err)
	}
}
