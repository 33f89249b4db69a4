package discover

import (
	"fmt"
	"net/url"
	"strings"
)

// Query selects a board among ports. Empty fields do not constrain.
type Query struct {
	// Board is "auto" (any port whose kind names a board), "pico" (firmware
	// or bootloader), "esp32c3" (USB-Serial/JTAG, or a USB-UART bridge,
	// unconfirmed) or "" (any USB serial port).
	Board string
	// VIDPID is "vvvv:pppp" in hex, e.g. "2e8a:000a".
	VIDPID string
	// Serial is the USB serial number, compared without regard to case.
	Serial string
	// USBPath is the USB port path, e.g. "1-1.2".
	USBPath string
}

// Query parameter names.
const (
	ParamBoard   = "board"
	ParamVIDPID  = "vidpid"
	ParamSerial  = "serial"
	ParamUSBPath = "usbpath"
)

// ParseQuery reads a Query from URL query values (board=auto,
// vidpid=2e8a:000a, serial=34:85:18:01:02:03, usbpath=1-1.2). Other
// parameters are left to their owners. Each of these may appear once and,
// if present, must be non-empty and well formed.
func ParseQuery(v url.Values) (Query, error) {
	var q Query
	get := func(name string) (string, bool, error) {
		vals, ok := v[name]
		if !ok {
			return "", false, nil
		}
		if len(vals) != 1 {
			return "", true, fmt.Errorf("discover: %s given %d times; give it once", name, len(vals))
		}
		s := strings.TrimSpace(vals[0])
		if s == "" {
			return "", true, fmt.Errorf("discover: %s is empty; leave it out or give a value", name)
		}
		return s, true, nil
	}
	s, ok, err := get(ParamBoard)
	if err != nil {
		return Query{}, err
	}
	if ok {
		s = strings.ToLower(s)
		if !validBoard(s) {
			return Query{}, fmt.Errorf("discover: board=%s: want auto, pico or esp32c3", s)
		}
		q.Board = s
	}
	if s, ok, err = get(ParamVIDPID); err != nil {
		return Query{}, err
	} else if ok {
		vid, pid, err := parseVIDPID(s)
		if err != nil {
			return Query{}, err
		}
		q.VIDPID = fmt.Sprintf("%04x:%04x", vid, pid)
	}
	if s, ok, err = get(ParamSerial); err != nil {
		return Query{}, err
	} else if ok {
		q.Serial = s
	}
	if s, ok, err = get(ParamUSBPath); err != nil {
		return Query{}, err
	} else if ok {
		if !usbDevice.MatchString(s) {
			return Query{}, fmt.Errorf("discover: usbpath=%s: want bus-port[.port…] as in sysfs, e.g. 1-1.2", s)
		}
		q.USBPath = s
	}
	return q, nil
}

func validBoard(s string) bool {
	switch s {
	case "", "auto", "pico", "esp32c3":
		return true
	}
	return false
}

func parseVIDPID(s string) (vid, pid uint16, err error) {
	v, p, ok := strings.Cut(s, ":")
	if !ok {
		return 0, 0, fmt.Errorf("discover: vidpid=%s: want vvvv:pppp in hex, e.g. 2e8a:000a", s)
	}
	vid, err1 := parseHex16(v)
	pid, err2 := parseHex16(p)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("discover: vidpid=%s: want vvvv:pppp in hex, e.g. 2e8a:000a", s)
	}
	return vid, pid, nil
}

// String renders the query as URL parameters, "any USB serial port" if
// it has none.
func (q Query) String() string {
	var parts []string
	for _, kv := range [][2]string{{ParamBoard, q.Board}, {ParamVIDPID, q.VIDPID}, {ParamSerial, q.Serial}, {ParamUSBPath, q.USBPath}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	if len(parts) == 0 {
		return "any USB serial port"
	}
	return strings.Join(parts, "&")
}

// mismatch says why p does not match q, or "" if it does.
func (q Query) mismatch(p Port) string {
	switch q.Board {
	case "":
	case "auto":
		if p.Board() == "" {
			return "not a known board (" + p.Kind.String() + ")"
		}
	case "pico":
		if p.Board() != "pico" {
			return "not a pico (" + p.Kind.String() + ")"
		}
	case "esp32c3":
		if p.Board() != "esp32c3" && p.Kind != USBUARTBridge {
			return "not an esp32c3 (" + p.Kind.String() + ")"
		}
	}
	if q.VIDPID != "" && !strings.EqualFold(q.VIDPID, p.VIDPID()) {
		return "vidpid " + p.VIDPID() + " is not " + q.VIDPID
	}
	if q.Serial != "" && !strings.EqualFold(q.Serial, p.Serial) {
		return "serial " + orNone(p.Serial) + " is not " + q.Serial
	}
	if q.USBPath != "" && q.USBPath != p.USBPath {
		return "usbpath " + orNone(p.USBPath) + " is not " + q.USBPath
	}
	return ""
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// NoMatchError is Select's error when no port matches.
type NoMatchError struct {
	Query Query
	Ports []Port   // every port looked at
	Why   []string // for each port, why it did not match
}

func (e *NoMatchError) Error() string {
	var b strings.Builder
	if len(e.Ports) == 0 {
		fmt.Fprintf(&b, "discover: no board for %s: no USB serial ports found", e.Query)
		return b.String()
	}
	fmt.Fprintf(&b, "discover: no board for %s among %d USB serial port(s):", e.Query, len(e.Ports))
	for i, p := range e.Ports {
		fmt.Fprintf(&b, "\n  %s %s: %s", p.Path, p.VIDPID(), e.Why[i])
	}
	return b.String()
}

// AmbiguousError is Select's error when several ports match.
type AmbiguousError struct {
	Query      Query
	Candidates []Port
}

func (e *AmbiguousError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "discover: %d boards match %s; pick one by adding serial=… or usbpath=…:", len(e.Candidates), e.Query)
	for _, p := range e.Candidates {
		fmt.Fprintf(&b, "\n  %s %s %s", p.Path, p.VIDPID(), p.Kind)
		if pick := pickBy(p, e.Candidates); pick != "" {
			fmt.Fprintf(&b, ": %s", pick)
		} else {
			b.WriteString(": no unique serial or usbpath, unplug the others")
		}
		if n := p.Note(); n != "" && p.Kind == PicoBootloader {
			fmt.Fprintf(&b, " [%s]", n)
		}
		if p.Kind == USBUARTBridge {
			b.WriteString(" [unconfirmed: USB-UART bridge]")
		}
	}
	return b.String()
}

// pickBy is the selector that tells p apart from the other candidates:
// usbpath if unique (it survives replugs and firmware changes), else a
// unique serial; "" if neither is.
func pickBy(p Port, cands []Port) string {
	unique := func(get func(Port) string) bool {
		v := get(p)
		if v == "" {
			return false
		}
		n := 0
		for _, c := range cands {
			if strings.EqualFold(get(c), v) {
				n++
			}
		}
		return n == 1
	}
	switch {
	case unique(func(c Port) string { return c.USBPath }):
		return ParamUSBPath + "=" + p.USBPath
	case unique(func(c Port) string { return c.Serial }):
		return ParamSerial + "=" + p.Serial
	}
	return ""
}

// Select returns the only port among ports that matches q. With none it
// returns a *NoMatchError saying what was found and why nothing matched;
// with several an *AmbiguousError listing the candidates and how to pick
// each. A PicoBootloader port counts as a pico; a USBUARTBridge counts as
// an esp32c3 (unconfirmed) for board=esp32c3 but not for board=auto.
func Select(ports []Port, q Query) (Port, error) {
	if !validBoard(q.Board) {
		return Port{}, fmt.Errorf("discover: board=%s: want auto, pico or esp32c3", q.Board)
	}
	if q.VIDPID != "" {
		vid, pid, err := parseVIDPID(q.VIDPID)
		if err != nil {
			return Port{}, err
		}
		q.VIDPID = fmt.Sprintf("%04x:%04x", vid, pid)
	}
	var matched []Port
	why := make([]string, len(ports))
	for i, p := range ports {
		if why[i] = q.mismatch(p); why[i] == "" {
			matched = append(matched, p)
		}
	}
	switch len(matched) {
	case 1:
		return matched[0], nil
	case 0:
		return Port{}, &NoMatchError{Query: q, Ports: ports, Why: why}
	}
	return Port{}, &AmbiguousError{Query: q, Candidates: matched}
}
