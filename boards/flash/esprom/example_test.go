package esprom_test

import (
	"context"
	"crypto/md5"
	"fmt"
	"net"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/flash/esprom"
)

// Flash an image to an emulated ESP32-C3 ROM loader over an in-memory
// pipe, the way a test or a board twin would. Against a real board, pass
// the serial port (in download mode) to NewLoader instead.
func ExampleLoader() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	host, dev := net.Pipe()
	defer host.Close()
	defer dev.Close()
	emu := esprom.NewEmulator(esprom.EmulatorOptions{})
	go emu.Serve(ctx, dev)

	l := esprom.NewLoader(host, nil)
	defer l.Close()

	image := []byte("\xE9 pretend this is a TinyGo ESP32-C3 image")
	check := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	check(l.Sync(ctx))
	id, err := l.ChipID(ctx)
	check(err)
	check(l.Attach(ctx))
	check(l.SetParams(ctx, esprom.DefaultFlashParams(4<<20)))
	check(l.Flash(ctx, 0x0, image, true, nil))
	sum, err := l.MD5(ctx, 0x0, uint32(len(image)))
	check(err)
	check(l.Finish(ctx, false))

	fmt.Println("chip id:", id)
	fmt.Println("md5 matches:", sum == md5.Sum(image))
	fmt.Printf("flash[0:3]: % x\n", emu.Flash()[:3])
	// Output:
	// chip id: 5
	// md5 matches: true
	// flash[0:3]: e9 20 70
}
