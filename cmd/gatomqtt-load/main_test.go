package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/listen"
	"github.com/gatomqtt/gatomqtt/broker/listen/listentest"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk/psknet"
	"github.com/gatomqtt/gatomqtt/load"
)

func TestTableFromTSV(t *testing.T) {
	name := filepath.Join(t.TempDir(), "results.tsv")
	rows := load.TSVHeader + "\n" +
		"mosquitto\t4p-1s-q0-64B\t0\t4\t1\t64\t0\t10.00\t100\t100\t0\t0.000\t1000\t10.0\t20.0\t30.0\t4096\t8192\n" +
		"other\t4p-1s-q0-64B\t0\t4\t1\t64\t0\t10.00\t100\t100\t0\t0.000\t3000\t10.0\t20.0\t30.0\t4096\t4096\n"
	if err := os.WriteFile(name, []byte(rows), 0o600); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := run([]string{"-table", name}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "| 4p-1s-q0-64B | other | 3000 | 3.00 |") {
		t.Fatalf("table lacks the ratio 3.00 for other:\n%s", out.String())
	}
}

func TestBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{"-qos", "2", "-count", "1"},
		{"-pubs", "0", "-count", "1"},
		{"stray"},
		{"-no-such-flag"},
		{"-table", filepath.Join(t.TempDir(), "missing.tsv")},
	} {
		if err := run(args, new(strings.Builder)); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}

func TestTSVAppendWritesTheHeaderOnce(t *testing.T) {
	name := filepath.Join(t.TempDir(), "r.tsv")
	res := &load.Result{Config: load.Config{Label: "x", Publishers: 1, Subscribers: 1}}
	for range 2 {
		if err := appendTSV(name, res); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 3 || lines[0] != load.TSVHeader || lines[1] != res.TSV() || lines[2] != res.TSV() {
		t.Fatalf("file is\n%s", b)
	}
}

func TestScenarioTableFromTSV(t *testing.T) {
	name := filepath.Join(t.TempDir(), "store.tsv")
	rows := "broker\tscenario\tonline received\n" +
		"mosquitto\tstore-pressure-4x1024-q1-64B\t100\n" +
		"broker\tscenario\tonline received\n" +
		"gatomqtt\tstore-pressure-4x1024-q1-64B\t0\n"
	if err := os.WriteFile(name, []byte(rows), 0o600); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := run([]string{"-table", name}, &out); err != nil {
		t.Fatal(err)
	}
	want := "| broker | scenario | online received |\n|---|---|--:|\n" +
		"| mosquitto | store-pressure-4x1024-q1-64B | 100 |\n| gatomqtt | store-pressure-4x1024-q1-64B | 0 |\n"
	if out.String() != want {
		t.Fatalf("table is\n%s\nwant\n%s", out.String(), want)
	}
}

func TestBadScenarios(t *testing.T) {
	for _, args := range [][]string{
		{"-scenario", "no-such-attack", "-count", "1"},
		{"-scenario", "slow-consumers", "-capacity", "1000"},
		{"-scenario", "wildcard-pressure", "-levels", "0", "-sessions", "-1"},
		{"-scenario", "store-pressure", "-stored", "-1"},
		{"-scenario", "idle-sessions", "-sessions", "-1"},
		{"-scenario", "idle-sessions", "-keepalive", "0.5s", "-sessions", "1"},
		{"-scenario", "psk-handshakes", "-count", "1"},
		{"-scenario", "psk-throughput", "-psk-identity", "a", "-psk-key", "xyz", "-count", "1"},
		{"-scenario", "connection-rate", "-concurrency", "-1"},
	} {
		if err := run(args, new(strings.Builder)); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}

// serveBroker serves the project's broker on a loopback port for the
// test, with host limits that let 64 set-ups from one address through.
func serveBroker(t *testing.T) string {
	t.Helper()
	lim := broker.HostLimits
	lim.MaxPendingPerSource = 128
	b, err := broker.New(broker.Config{Limits: lim})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- listen.Serve(ctx, ln, b) }()
	t.Cleanup(func() {
		stop()
		<-served
		b.Close()
	})
	return ln.Addr().String()
}

func TestIdleSessionsScenario(t *testing.T) {
	addr := serveBroker(t)
	name := filepath.Join(t.TempDir(), "idle.tsv")
	var out strings.Builder
	args := []string{"-addr", addr, "-label", "gatomqtt", "-scenario", "idle-sessions", "-sessions", "20", "-idle-baseline", "5",
		"-count", "200", "-qos", "1", "-pid", strconv.Itoa(os.Getpid()), "-settle", "1s", "-tsv", name}
	if err := run(args, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "gatomqtt idle-sessions-20-q1-64B: 20 of 20 sessions held") || !strings.Contains(out.String(), "bytes per session") {
		t.Errorf("report %q", out.String())
	}
	out.Reset()
	if err := run([]string{"-table", name}, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "| broker | scenario | sessions | held | refused |") ||
		!strings.HasPrefix(lines[2], "| gatomqtt | idle-sessions-20-q1-64B | 20 | 20 | 0 |") {
		t.Errorf("table is\n%s", out.String())
	}
}

// servePSKBroker serves the project's broker on a plain and a TLS-PSK
// loopback port for the test, and returns both addresses and the hex key
// of identity "board".
func servePSKBroker(t *testing.T) (addr, pskAddr, keyHex string) {
	t.Helper()
	key := make([]byte, 16)
	rand.Read(key)
	b, err := broker.New(broker.Config{Limits: broker.HostLimits})
	if err != nil {
		t.Fatal(err)
	}
	ln, pln := listentest.Loopback(t), listentest.Loopback(t)
	cfg := &tlspsk.Config{PSKs: []tlspsk.PSK{{Identity: "board", Key: key}}}
	listentest.Serve(t, b, listen.Serve, ln, psknet.NewListener(pln, cfg))
	return ln.Addr().String(), pln.Addr().String(), hex.EncodeToString(key)
}

func TestConnectionAndPSKScenarios(t *testing.T) {
	addr, pskAddr, key := servePSKBroker(t)
	psk := []string{"-psk-addr", pskAddr, "-psk-identity", "board", "-psk-key", key}
	dir := t.TempDir()
	rate, tput := filepath.Join(dir, "rate.tsv"), filepath.Join(dir, "psk.tsv")
	tests := []struct {
		args []string
		want string // the report's start
	}{
		{[]string{"-addr", addr, "-scenario", "connection-rate", "-concurrency", "4", "-count", "100", "-tsv", rate},
			"gatomqtt connection-rate-c4: "},
		{append([]string{"-scenario", "psk-handshakes", "-concurrency", "4", "-count", "40", "-tsv", rate}, psk...),
			"gatomqtt psk-handshakes-c4-psk_dhe_ke: "},
		{append([]string{"-scenario", "psk-throughput", "-qos", "1", "-count", "500", "-tsv", tput}, psk...),
			"gatomqtt psk-1p-1s-q1-64B: "},
	}
	for _, tt := range tests {
		var out strings.Builder
		if err := run(append(tt.args, "-label", "gatomqtt"), &out); err != nil {
			t.Fatalf("run(%q): %v", tt.args, err)
		}
		if !strings.HasPrefix(out.String(), tt.want) || strings.Contains(out.String(), "failed") {
			t.Errorf("run(%q) reported %q, want it to start %q, without failures", tt.args, out.String(), tt.want)
		}
	}
	var out strings.Builder
	if err := run([]string{"-table", rate}, &out); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(out.String(), "\n"); len(lines) != 5 ||
		!strings.HasPrefix(lines[2], "| gatomqtt | connection-rate-c4 | 4 |") || !strings.Contains(lines[2], "| 100 | 100 | 0 | 0 | 0 | 0 |") ||
		!strings.HasPrefix(lines[3], "| gatomqtt | psk-handshakes-c4-psk_dhe_ke | 4 |") || !strings.Contains(lines[3], "| 40 | 40 | 0 | 0 | 0 | 0 |") {
		t.Errorf("table is\n%s", out.String())
	}
	out.Reset()
	if err := run([]string{"-table", tput, "-baseline", "gatomqtt"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "| psk-1p-1s-q1-64B | gatomqtt |") || !strings.Contains(out.String(), "| 0 (0.00%) |") {
		t.Errorf("table is\n%s", out.String())
	}
}
