package discover

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

// usbDevice matches a USB device directory name in sysfs: bus, dash, the
// chain of hub ports ("1-1.2"). Root hubs are "usb1", interfaces carry a
// ":config.interface" suffix ("1-1.2:1.0").
var usbDevice = regexp.MustCompile(`^[0-9]+-[0-9]+(\.[0-9]+)*$`)

// USBPath returns the USB port path ("1-1.2") of the tty named tty
// ("ttyACM0") from the sysfs tree at sysRoot ("/sys"). It follows
// class/tty/<tty>/device to the device's real directory and takes the
// nearest USB device directory above it, which covers both CDC ACM ports
// (device is the interface, 1-1.2:1.0) and usb-serial bridges (device is
// ttyUSB0 below the interface).
func USBPath(sysRoot, tty string) (string, error) {
	if tty == "" || strings.ContainsAny(tty, `/\`) || tty == "." || tty == ".." {
		return "", fmt.Errorf("discover: bad tty name %q", tty)
	}
	link := filepath.Join(sysRoot, "class", "tty", tty, "device")
	real, err := filepath.EvalSymlinks(link)
	if err != nil {
		return "", fmt.Errorf("discover: USB path of %s: %w", tty, err)
	}
	if p := usbPathOf(real); p != "" {
		return p, nil
	}
	return "", fmt.Errorf("discover: USB path of %s: %s is not below a USB device", tty, real)
}

// usbPathOf returns the last USB device directory name in a resolved sysfs
// device path, or "".
func usbPathOf(devicePath string) string {
	parts := strings.Split(filepath.ToSlash(devicePath), "/")
	for i := len(parts) - 1; i >= 0; i-- {
		name := parts[i]
		if dev, _, ok := strings.Cut(name, ":"); ok && usbDevice.MatchString(dev) {
			return dev // an interface directory: its device's path
		}
		if usbDevice.MatchString(name) {
			return name
		}
	}
	return ""
}
