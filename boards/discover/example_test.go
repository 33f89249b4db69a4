package discover_test

import (
	"fmt"
	"net/url"

	"github.com/gatomqtt/gatomqtt/boards/discover"
)

func ExampleSelect() {
	// What List might return with two Picos and an ESP32-C3 plugged in.
	ports := []discover.Port{
		{Path: "/dev/ttyACM0", VID: 0x2E8A, PID: 0x000A, USBPath: "1-1.2", Kind: discover.PicoFirmware},
		{Path: "/dev/ttyACM1", VID: 0x2E8A, PID: 0x000A, USBPath: "1-1.3", Kind: discover.PicoFirmware},
		{Path: "/dev/ttyACM2", VID: 0x303A, PID: 0x1001, Serial: "34:85:18:01:02:03", USBPath: "1-2", Kind: discover.ESP32C3USBJTAG},
	}
	for _, raw := range []string{"board=esp32c3", "board=pico", "board=pico&usbpath=1-1.3"} {
		v, _ := url.ParseQuery(raw)
		q, err := discover.ParseQuery(v)
		if err != nil {
			fmt.Println(err)
			continue
		}
		p, err := discover.Select(ports, q)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(raw, "->", p.Path, p.Board())
	}
	// Output:
	// board=esp32c3 -> /dev/ttyACM2 esp32c3
	// discover: 2 boards match board=pico; pick one by adding serial=… or usbpath=…:
	//   /dev/ttyACM0 2e8a:000a pico: usbpath=1-1.2
	//   /dev/ttyACM1 2e8a:000a pico: usbpath=1-1.3
	// board=pico&usbpath=1-1.3 -> /dev/ttyACM1 pico
}
