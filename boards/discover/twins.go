package discover

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// A Twin is a board's Go twin (cmd/gatomqtt-twin) running on this
// machine, as it announced itself: a board that is a process, not a USB
// device.
type Twin struct {
	PID      int
	Board    string // pico or esp32c3
	Port     string // its pty's path, or rfc2217://host:port
	Platform string // what its hello says runs the firmware
}

// TwinDir is the folder where twins announce themselves:
// $XDG_RUNTIME_DIR/gatomqtt-twins, or gatomqtt-twins-<uid> in the
// temporary folder.
func TwinDir() string {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "gatomqtt-twins")
	}
	return filepath.Join(os.TempDir(), "gatomqtt-twins-"+strconv.Itoa(os.Getuid()))
}

// Announce records t in dir (TwinDir when "") until the returned function
// removes it.
func Announce(dir string, t Twin) (remove func(), err error) {
	if dir == "" {
		dir = TwinDir()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("discover: announcing the twin: %w", err)
	}
	// One process may run several twins (tests do): the name is the pid
	// and a unique part.
	f, err := os.CreateTemp(dir, strconv.Itoa(t.PID)+"-*.twin")
	if err != nil {
		return nil, fmt.Errorf("discover: announcing the twin: %w", err)
	}
	line := strings.Join([]string{t.Board, t.Port, t.Platform}, "\t") + "\n"
	_, err = f.WriteString(line)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return nil, fmt.Errorf("discover: announcing the twin: %w", err)
	}
	return func() { os.Remove(f.Name()) }, nil
}

// Twins lists the twins announced in dir (TwinDir when "") whose process
// still runs, by process id; announcements left by twins that died are
// removed.
func Twins(dir string) ([]Twin, error) {
	if dir == "" {
		dir = TwinDir()
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("discover: listing twins: %w", err)
	}
	var twins []Twin
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".twin")
		name, _, _ = strings.Cut(name, "-")
		pid, err := strconv.Atoi(name)
		if !ok || err != nil || pid <= 0 {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if !running(pid) {
			os.Remove(path)
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		f := strings.SplitN(strings.TrimSuffix(string(b), "\n"), "\t", 3)
		if len(f) != 3 {
			continue
		}
		twins = append(twins, Twin{PID: pid, Board: f[0], Port: f[1], Platform: f[2]})
	}
	return twins, nil
}

// running reports whether process pid exists.
func running(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// FormatTwins lays twins out as a table, as Format does ports.
func FormatTwins(twins []Twin) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s %-8s %-32s %s\n", "PID", "BOARD", "PORT", "PLATFORM")
	for _, t := range twins {
		fmt.Fprintf(&b, "%-8d %-8s %-32s %s\n", t.PID, t.Board, t.Port, t.Platform)
	}
	return b.String()
}
