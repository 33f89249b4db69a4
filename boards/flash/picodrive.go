package flash

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/flash/uf2"
)

// driveLabel is the volume label of the RP2040 bootrom's drive, and so
// the last element of where systems mount it.
const driveLabel = "RPI-RP2"

// mountsFile lists the mounted file systems on Linux.
const mountsFile = "/proc/self/mounts"

// isBootrom reports whether dir holds an INFO_UF2.TXT of the RP2040
// bootrom.
func isBootrom(dir string) bool {
	text, err := os.ReadFile(filepath.Join(dir, "INFO_UF2.TXT"))
	if err != nil {
		return false
	}
	in, err := uf2.ParseInfo(string(text))
	return err == nil && in.RP2040Bootrom()
}

// driveCandidates returns where to look for the drive: o.Drives, or the
// usual mount points and those /proc/self/mounts names RPI-RP2. It is
// called on every poll, as the drive is mounted after the touch.
func driveCandidates(o PicoOptions) []string {
	if len(o.Drives) > 0 {
		return o.Drives
	}
	var dirs []string
	if u := os.Getenv("USER"); u != "" {
		dirs = append(dirs, filepath.Join("/media", u, driveLabel), filepath.Join("/run/media", u, driveLabel))
	}
	dirs = append(dirs, "/media/"+driveLabel, "/mnt/"+driveLabel, "/Volumes/"+driveLabel)
	if text, err := os.ReadFile(mountsFile); err == nil {
		for _, m := range mountPoints(string(text)) {
			if filepath.Base(m) == driveLabel && !slices.Contains(dirs, m) {
				dirs = append(dirs, m)
			}
		}
	}
	return dirs
}

// mountPoints returns the mount points of a /proc/self/mounts text, with
// the octal escapes the kernel writes for spaces, tabs, newlines and
// backslashes (\040, \011, \012, \134) undone.
func mountPoints(text string) []string {
	var points []string
	for _, line := range strings.Split(text, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		points = append(points, unescapeMount(fields[1]))
	}
	return points
}

func unescapeMount(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// findDrive returns the first candidate folder that is the RP2040
// bootrom's drive, looking every o.Poll for up to d; with d zero it looks
// once.
func findDrive(ctx context.Context, o PicoOptions, d time.Duration) (string, error) {
	var deadline <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		deadline = t.C
	}
	tick := time.NewTicker(timeout(o.Poll, 50*time.Millisecond))
	defer tick.Stop()
	for {
		dirs := driveCandidates(o)
		for _, dir := range dirs {
			if isBootrom(dir) {
				return dir, nil
			}
		}
		if d == 0 {
			return "", fmt.Errorf("the drive %s is not in %s", driveLabel, strings.Join(dirs, ", "))
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("waiting for the drive %s in %s: %w", driveLabel, strings.Join(dirs, ", "), ctx.Err())
		case <-deadline:
			return "", fmt.Errorf("the drive %s did not appear in %s within %v", driveLabel, strings.Join(dirs, ", "), d)
		case <-tick.C:
		}
	}
}
