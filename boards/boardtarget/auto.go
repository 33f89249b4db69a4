package boardtarget

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/gatomqtt/gatomqtt/boards/discover"
)

// autoPort is the device path, and autoBoard the board name, that ask the
// target to find them from the USB identities of the serial ports.
const (
	autoPort  = "auto"
	autoBoard = "auto"
)

// listPorts enumerates the USB serial ports; tests replace it with a fixed
// list.
var listPorts = discover.List

// selectOptions are the query options that narrow serial://auto down to one
// port; discover.ParseQuery reads them.
var selectOptions = []string{discover.ParamVIDPID, discover.ParamSerial, discover.ParamUSBPath}

// resolveAuto settles serial://auto and board=auto when the target is
// parsed, not when it starts: the board decides the capabilities the
// target declares before anything starts, and a suite must know them to
// pick its specs. So the board must be plugged in when the suite starts.
// It returns the URL with the device path and the board filled in, and
// the path; u is returned as is when neither is auto.
func resolveAuto(u *url.URL, path string) (*url.URL, string, error) {
	q := u.Query()
	board := q.Get("board")
	if path != autoPort {
		for _, k := range selectOptions {
			if q.Has(k) {
				return nil, "", fmt.Errorf("option %s= selects among ports with serial://auto; with the device path %s given, leave it out", k, path)
			}
		}
		if !strings.EqualFold(board, autoBoard) {
			return u, path, nil
		}
	}
	ports, err := listPorts()
	if err != nil {
		return nil, "", fmt.Errorf("finding the board's port: %w", err)
	}
	var p discover.Port
	if path == autoPort {
		if board == "" {
			return nil, "", errors.New("serial://auto needs board=<name> or board=auto: which board to look for")
		}
		query, err := discover.ParseQuery(q)
		if err != nil {
			return nil, "", fmt.Errorf("serial://auto: %w", err)
		}
		if p, err = discover.Select(ports, query); err != nil {
			return nil, "", fmt.Errorf("serial://auto: %w", err)
		}
	} else if p, err = portAt(ports, path); err != nil {
		return nil, "", err
	}
	if strings.EqualFold(board, autoBoard) {
		if p.Board() == "" {
			return nil, "", fmt.Errorf("board=auto: cannot tell the board on %s from its USB identity %s (%s): give board=esp32c3 or board=pico", p.Path, p.VIDPID(), p.Kind)
		}
		board = p.Board()
	}
	r := *u
	r.Host, r.Opaque, r.Path = "", "", p.Path
	for _, k := range selectOptions {
		q.Del(k)
	}
	q.Set("board", board)
	r.RawQuery = q.Encode()
	return &r, p.Path, nil
}

// portAt finds the port at path among ports, following symbolic links
// such as /dev/serial/by-id/... on either side.
func portAt(ports []discover.Port, path string) (discover.Port, error) {
	want := realPath(path)
	for _, p := range ports {
		if p.Path == path || realPath(p.Path) == want {
			return p, nil
		}
	}
	if len(ports) == 0 {
		return discover.Port{}, fmt.Errorf("board=auto: %s is not a USB serial port, and none was found (is the board plugged in?); give board=esp32c3 or board=pico", path)
	}
	var seen []string
	for _, p := range ports {
		seen = append(seen, p.Path+" "+p.VIDPID()+" "+p.Kind.String())
	}
	return discover.Port{}, fmt.Errorf("board=auto: %s is not among the USB serial ports (%s); give board=esp32c3 or board=pico, or one of those ports", path, strings.Join(seen, ", "))
}

// realPath resolves the symbolic links in path, or returns it as is.
func realPath(path string) string {
	if r, err := filepath.EvalSymlinks(path); err == nil {
		return r
	}
	return path
}
