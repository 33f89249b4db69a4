package uf2

import (
	"fmt"
	"strings"
)

// Info is the contents of INFO_UF2.TXT on a UF2 bootloader drive.
type Info struct {
	Version string            // after "UF2 Bootloader ", e.g. "v3.0"
	Model   string            // "Model:" line, e.g. "Raspberry Pi RP2"
	BoardID string            // "Board-ID:" line, e.g. "RPI-RP2"
	Fields  map[string]string // every "key: value" line, keys as written
}

// RP2040Bootrom reports whether the drive is the RP2040 bootrom's RPI-RP2
// drive.
func (in Info) RP2040Bootrom() bool { return in.BoardID == "RPI-RP2" }

// ParseInfo reads the contents of INFO_UF2.TXT: a "UF2 Bootloader"
// version line and "key: value" lines. Unknown keys are kept in Fields;
// lines that are neither are ignored. It fails if the version line is
// missing, as then the file is not from a UF2 bootloader.
func ParseInfo(text string) (Info, error) {
	in := Info{Fields: map[string]string{}}
	found := false
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "UF2 Bootloader"); ok && !found {
			in.Version = strings.TrimSpace(v)
			found = true
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		in.Fields[k] = v
		switch strings.ToLower(k) {
		case "model":
			in.Model = v
		case "board-id":
			in.BoardID = v
		}
	}
	if !found {
		return Info{}, fmt.Errorf("uf2: INFO_UF2.TXT: no \"UF2 Bootloader\" line")
	}
	return in, nil
}
