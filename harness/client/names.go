package client

import (
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
)

// RunID identifies this test process's run in topic names and client IDs,
// so that runs sharing a broker never see each other's messages. It is
// GATOMQTT_RUNID when set (letters and digits only), else random.
var RunID = newRunID()

var nameCounter atomic.Uint64

func newRunID() string {
	if id := os.Getenv("GATOMQTT_RUNID"); id != "" && isAlnum(id) && len(id) <= 8 {
		return id
	}
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	var b [6]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = digits[int(b[i])%len(digits)]
	}
	return string(b[:])
}

func isAlnum(s string) bool {
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return false
		}
	}
	return true
}

// Process is the number of the test process among those running in
// parallel (Ginkgo's parallel process), part of every name so that the
// processes of one run never share a topic or client identifier. The
// harness's Ginkgo layer sets it before the first spec runs.
var Process = 1

// Topic returns a topic name unique to this call, run and parallel
// process: "gato/<run>/<process>/<n>/<name>". Call it once per topic a spec
// uses and keep the result; filters may be built from its prefix.
func Topic(name string) string {
	return TopicBelow("gato", name)
}

// TopicBelow is Topic with another first level than "gato":
// "<prefix>/<run>/<process>/<n>/<name>".
func TopicBelow(prefix, name string) string {
	n := nameCounter.Add(1)
	return fmt.Sprintf("%s/%s/%d/%d/%s", prefix, RunID, Process, n, name)
}

// ClientID returns a client identifier unique to this call, run and
// parallel process. It is at most 23 letters and digits, the identifiers
// every server must accept (MQTT-3.1.3-5); hint contributes its leading
// letters and digits for readability in broker logs.
func ClientID(hint string) string {
	n := nameCounter.Add(1)
	id := fmt.Sprintf("g%sp%dn%d", RunID, Process, n)
	var b strings.Builder
	for _, r := range hint {
		if b.Len()+len(id) >= 23 {
			break
		}
		if r < 128 && isAlnum(string(r)) {
			b.WriteRune(r)
		}
	}
	return id + b.String()
}
