package discover

import (
	"strings"
	"text/tabwriter"
)

// Format renders ports as a table: path, VID:PID, serial, USB path, kind,
// and a note for bootloader-mode Picos and unconfirmed bridges.
func Format(ports []Port) string {
	if len(ports) == 0 {
		return "no USB serial ports found\n"
	}
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	w.Write([]byte("PATH\tVID:PID\tSERIAL\tUSB PATH\tKIND\tNOTE\n"))
	for _, p := range ports {
		w.Write([]byte(strings.Join([]string{
			p.Path, p.VIDPID(), dash(p.Serial), dash(p.USBPath), p.Kind.String(), dash(p.Note()),
		}, "\t") + "\n"))
	}
	w.Flush()
	return b.String()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
