package main

import (
	"bufio"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/gatomqtt/gatomqtt/broker"
)

// Host sizing: the host profile's sessions and message store follow the
// memory available at start, so that a daemon replacing mosquitto does
// not refuse its 257th client. The broker commits its tables as clients
// come (about 1 KB per idle session held, docs/benchmarks.md), so sizing
// for many costs little until they come; the bound is what the tables
// would take were every slot used to the full: at most half the available
// memory, and at most 20 000 sessions, as many as a default open-file
// limit lets connect (beyond, -max-sessions; a 100 000-session broker
// reserves 6.4 GB of tables and starts in 10 MB of RSS).
const (
	minHostSessions = 256
	maxHostSessions = 20_000
)

// sizeHost returns l with MaxSessions and MaxMessages sized for avail
// bytes of memory, the limits given by flags (given) kept, and those
// derived from MaxSessions left to be derived; avail 0 (unknown) leaves l
// as it is.
func sizeHost(l broker.Limits, avail uint64, given map[string]bool) broker.Limits {
	if avail == 0 {
		return l
	}
	fixed, perSession := sessionCost(l)
	if perSession <= 0 {
		return l
	}
	n := (int64(avail/2) - int64(fixed)) / int64(perSession)
	l.MaxSessions = int(min(max(n, minHostSessions), maxHostSessions))
	if !given["max-connections"] {
		l.MaxConnections = 0 // derived from MaxSessions
	}
	if !given["max-pending"] {
		l.MaxPending = 0
	}
	if !given["max-messages"] {
		// A quarter of a message per session in the store, the
		// profile's store at least.
		l.MaxMessages = max(l.MaxMessages, l.MaxSessions/4)
		if !given["max-offline-messages"] {
			l.MaxOfflineMessages = 0 // half the store
		}
	}
	return l
}

// sessionCost measures the broker's state with the profile's limits: what
// does not grow with sessions, and what each session adds.
func sessionCost(l broker.Limits) (fixed, perSession int) {
	const a, b = 64, 128
	state := func(n int) int {
		m := l
		m.MaxSessions, m.MaxConnections, m.MaxPending = n, 0, 0
		m.MaxMessages = max(m.MaxMessages, n/4)
		m.MaxOfflineMessages = 0
		br, err := broker.New(broker.Config{Limits: m})
		if err != nil {
			return 0
		}
		defer br.Close()
		return br.Stats().StateBytes
	}
	sa, sb := state(a), state(b)
	// Hand the measuring brokers' pages back: reused for the broker
	// sized here, they would be cleared, which commits them.
	debug.FreeOSMemory()
	perSession = (sb - sa) / (b - a)
	return sa - a*perSession, perSession
}

// memAvailable reads MemAvailable from /proc/meminfo: 0 where there is
// none.
func memAvailable() uint64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemAvailable:" {
			kb, err := strconv.ParseUint(fields[1], 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// hostGCPercent is the daemon's GOGC. The broker's large tables live
// outside the Go heap (see broker.Stats.StateBytes), so the heap is the
// slot tables that hold pointers and each client's connection objects;
// collecting once garbage reaches a quarter of that keeps what clients
// that come and go leave behind to a few hundred bytes per session held,
// where the default (as much garbage as live heap) doubled that heap.
// Routing allocates nothing, so it never waits for the collector.
const hostGCPercent = 25

// setGCPercent applies hostGCPercent unless GOGC is set.
func setGCPercent() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(hostGCPercent)
	}
}
