package load

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// Memory is a process's memory as the Linux kernel reports it in
// /proc/PID/status.
type Memory struct {
	RSS  uint64 `json:"rss_bytes"` // VmRSS: resident set size now
	Peak uint64 `json:"hwm_bytes"` // VmHWM: the largest RSS so far
}

// ReadMemory reads the resident and peak resident memory of process pid.
func ReadMemory(pid int) (Memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, fmt.Errorf("load: memory of process %d: %w", pid, err)
	}
	m, err := parseStatus(b)
	if err != nil {
		return Memory{}, fmt.Errorf("load: memory of process %d: %w", pid, err)
	}
	return m, nil
}

// parseStatus reads VmRSS and VmHWM, given in kB, from the text of
// /proc/PID/status.
func parseStatus(b []byte) (Memory, error) {
	var m Memory
	var haveRSS, havePeak bool
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, value, ok := bytes.Cut(sc.Bytes(), []byte(":"))
		if !ok {
			continue
		}
		var dst *uint64
		switch string(name) {
		case "VmRSS":
			dst, haveRSS = &m.RSS, true
		case "VmHWM":
			dst, havePeak = &m.Peak, true
		default:
			continue
		}
		fields := bytes.Fields(value)
		if len(fields) != 2 || string(fields[1]) != "kB" {
			return Memory{}, fmt.Errorf("unexpected %s line %q", name, sc.Bytes())
		}
		kb, err := strconv.ParseUint(string(fields[0]), 10, 64)
		if err != nil {
			return Memory{}, fmt.Errorf("unexpected %s line %q: %w", name, sc.Bytes(), err)
		}
		*dst = kb * 1024
	}
	if !haveRSS || !havePeak {
		return Memory{}, fmt.Errorf("no VmRSS or VmHWM line (a kernel thread or a zombie?)")
	}
	return m, nil
}
