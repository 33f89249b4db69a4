package load

import (
	"fmt"
	"syscall"
)

// RaiseFileLimit raises this process's soft limit on open files
// (RLIMIT_NOFILE) to its hard limit, since every idle session holds a
// descriptor and the usual soft limit of 1024 stops a scenario of
// thousands long before the broker does. It returns the limit in force
// afterwards. Only root can raise the hard limit (ulimit -Hn).
func RaiseFileLimit() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("load: reading the open-file limit: %w", err)
	}
	if lim.Cur < lim.Max {
		raised := lim
		raised.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised); err != nil {
			return lim.Cur, fmt.Errorf("load: raising the open-file limit from %d to %d: %w", lim.Cur, lim.Max, err)
		}
		lim = raised
	}
	return lim.Cur, nil
}

// fileHeadroom is the descriptors a scenario needs beside its idle
// sessions: the routing run's publisher and subscriber, and what the Go
// runtime and the process hold anyway.
const fileHeadroom = 32

// checkFileLimit reports an error when sessions idle connections, with
// fileHeadroom more, do not fit under limit open files.
func checkFileLimit(sessions int, limit uint64) error {
	if need := uint64(sessions) + fileHeadroom; need > limit {
		return fmt.Errorf("load: %d idle sessions need about %d open files, beyond this process's limit of %d (raise the hard limit: ulimit -Hn, as root)", sessions, need, limit)
	}
	return nil
}
