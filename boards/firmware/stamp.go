package firmware

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
)

// A build stamp carries a firmware's build id inside its image, where a
// boot ROM's stand-in (a board's twin) can find it: the id set at link
// time (-X main.buildID=...) is the stamp, and the firmware reports the id
// inside it. Strings in an image are not terminated, so the stamp ends
// with its own terminator.
const (
	stampPrefix = "gatomqtt-build-id:"
	stampEnd    = ";"
)

// maxBuildID bounds a stamped id: longer runs of id characters in an
// image are not stamps.
const maxBuildID = 64

// BuildStamp returns the stamp of id, the value to link into a firmware
// image. An id is 1 to 64 letters, digits, '.', '_', '+' or '-'.
func BuildStamp(id string) (string, error) {
	if id == "" || len(id) > maxBuildID || strings.IndexFunc(id, func(r rune) bool { return !isIDChar(byte(r)) || r > 0x7f }) >= 0 {
		return "", errors.New("firmware: build id " + strconv.Quote(id) + ": want 1 to 64 letters, digits, '.', '_', '+' or '-'")
	}
	return stampPrefix + id + stampEnd, nil
}

// StampedID returns the id inside a build stamp, and s itself when s is
// not a stamp (an id set by hand).
func StampedID(s string) string {
	if id, ok := strings.CutPrefix(s, stampPrefix); ok {
		if id, ok = strings.CutSuffix(id, stampEnd); ok {
			return id
		}
	}
	return s
}

// FindBuildID returns the build id stamped in a firmware image, and false
// when the image holds no stamp. With several stamps (a stamp string kept
// twice by the linker) the first one counts.
func FindBuildID(image []byte) (string, bool) {
	prefix := []byte(stampPrefix)
	for rest := image; ; {
		i := bytes.Index(rest, prefix)
		if i < 0 {
			return "", false
		}
		rest = rest[i+len(prefix):]
		n := 0
		for n < len(rest) && n <= maxBuildID && isIDChar(rest[n]) {
			n++
		}
		if n > 0 && n <= maxBuildID && n < len(rest) && rest[n] == stampEnd[0] {
			return string(rest[:n]), true
		}
	}
}

func isIDChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '+' || c == '-'
}
