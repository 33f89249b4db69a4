package discover

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"go.bug.st/serial/enumerator"
)

// fakeTTY builds the real sysfs layout for one tty below root:
// devices/<devDir>/tty/<tty> is the tty's directory, with device pointing
// back up to devDir, and class/tty/<tty> a symlink to it.
func fakeTTY(t *testing.T, root, devDir, tty string) {
	t.Helper()
	ttyDir := filepath.Join(root, "devices", devDir, "tty", tty)
	if err := os.MkdirAll(ttyDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../../"+filepath.Base(devDir), filepath.Join(ttyDir, "device")); err != nil {
		t.Fatal(err)
	}
	class := filepath.Join(root, "class", "tty")
	if err := os.MkdirAll(class, 0o755); err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(class, ttyDir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(rel, filepath.Join(class, tty)); err != nil {
		t.Fatal(err)
	}
}

func TestUSBPath(t *testing.T) {
	root := t.TempDir()
	const hc = "pci0000:00/0000:00:14.0/usb1"
	// CDC ACM: device is the USB interface.
	fakeTTY(t, root, hc+"/1-1/1-1.2/1-1.2:1.0", "ttyACM0")
	fakeTTY(t, root, hc+"/1-1/1-1.3/1-1.3:1.0", "ttyACM1")
	// Root hub port, no hub in between.
	fakeTTY(t, root, hc+"/1-4/1-4:1.0", "ttyACM2")
	// usb-serial bridge: device is ttyUSB0 below the interface.
	fakeTTY(t, root, hc+"/1-1/1-1.4/1-1.4:1.0/ttyUSB0", "ttyUSB0")
	// Not USB: a platform UART.
	fakeTTY(t, root, "platform/serial8250", "ttyS0")

	for tty, want := range map[string]string{
		"ttyACM0": "1-1.2",
		"ttyACM1": "1-1.3",
		"ttyACM2": "1-4",
		"ttyUSB0": "1-1.4",
	} {
		got, err := USBPath(root, tty)
		if err != nil || got != want {
			t.Errorf("USBPath(%s) = %q, %v; want %q", tty, got, err, want)
		}
	}
	if got, err := USBPath(root, "ttyS0"); err == nil {
		t.Errorf("USBPath(ttyS0) = %q, want an error (not USB)", got)
	}
	if _, err := USBPath(root, "ttyACM7"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("USBPath(ttyACM7) = %v, want not exist", err)
	}
	for _, bad := range []string{"", "..", "../ttyACM0", "a/b"} {
		if _, err := USBPath(root, bad); err == nil {
			t.Errorf("USBPath(%q): want an error", bad)
		}
	}
}

func TestFromDetails(t *testing.T) {
	root := t.TempDir()
	fakeTTY(t, root, "pci0000:00/0000:00:14.0/usb1/1-1/1-1.2/1-1.2:1.0", "ttyACM0")
	fakeTTY(t, root, "pci0000:00/0000:00:14.0/usb1/1-3/1-3:1.0/ttyUSB0", "ttyUSB0")
	details := []*enumerator.PortDetails{
		{Name: "/dev/ttyUSB0", IsUSB: true, VID: "10c4", PID: "ea60", SerialNumber: "0001"},
		{Name: "/dev/ttyS0"}, // not USB: skipped
		{},                   // what the enumerator gives for a tty without a device link
		{Name: "/dev/ttyACM0", IsUSB: true, VID: "2e8a", PID: "000a"},
		{Name: "/dev/ttyACM5", IsUSB: true, VID: "303a", PID: "1001", SerialNumber: "34:85:18:01:02:03"}, // no sysfs entry
		{Name: "/dev/ttyACM6", IsUSB: true, VID: "zz", PID: "1"},                                         // unusable id: skipped
	}
	got := fromDetails(details, true, root)
	want := []Port{
		{Path: "/dev/ttyACM0", VID: 0x2E8A, PID: 0x000A, USBPath: "1-1.2", Kind: PicoFirmware},
		{Path: "/dev/ttyACM5", VID: 0x303A, PID: 0x1001, Serial: "34:85:18:01:02:03", Kind: ESP32C3USBJTAG},
		{Path: "/dev/ttyUSB0", VID: 0x10C4, PID: 0xEA60, Serial: "0001", USBPath: "1-3", Kind: USBUARTBridge},
	}
	if len(got) != len(want) {
		t.Fatalf("fromDetails = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("port %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// Off Linux no USB path is read.
	if got := fromDetails(details[:1], false, root); got[0].USBPath != "" {
		t.Errorf("without sysfs: USBPath %q", got[0].USBPath)
	}
}

// TestList runs the real enumerator. A container may have no USB serial
// ports (an empty list is fine) or no usable /dev and /sys (then skip).
func TestList(t *testing.T) {
	ports, err := List()
	if err != nil {
		if _, statErr := os.Stat("/sys/class/tty"); statErr != nil {
			t.Skipf("no /sys/class/tty here (%v); List: %v", statErr, err)
		}
		t.Fatalf("List: %v", err)
	}
	for _, p := range ports {
		if p.Path == "" {
			t.Errorf("port without a path: %+v", p)
		}
	}
	t.Logf("%d USB serial port(s):\n%s", len(ports), Format(ports))
}
