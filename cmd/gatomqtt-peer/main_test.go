package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/target/targettest"
	"github.com/gatomqtt/gatomqtt/peers"
)

// lineWriter hands the first line written to it to a channel.
type lineWriter struct {
	buf  bytes.Buffer
	line chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	if s, ok := strings.CutSuffix(w.buf.String(), "\n"); ok {
		w.line <- s
	}
	return len(p), nil
}

func TestRunMosquitto(t *testing.T) {
	if _, err := peers.MosquittoPath(); errors.Is(err, peers.ErrNotInstalled) {
		t.Skip(err)
	}
	out := &lineWriter{line: make(chan string, 1)}
	stop := make(chan os.Signal, 1)
	logFile := filepath.Join(t.TempDir(), "mosquitto.log")
	pidFile := filepath.Join(t.TempDir(), "mosquitto.pid")
	done := make(chan error, 1)
	go func() {
		done <- run([]string{"-psk", "-acl", "-log", logFile, "-pidfile", pidFile, "mosquitto"}, out, stop)
	}()

	var s string
	select {
	case s = <-out.line:
	case err := <-done:
		t.Fatalf("run ended before printing a target: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("no target line within 20s")
	}
	// Started probes the peer with a CONNECT.
	tg := targettest.Started(t, s)
	c := tg.Capabilities()
	if c.Peer != "mosquitto" || c.DeniedTopic == "" || tg.Endpoints().PSK == nil {
		t.Errorf("target %s: peer %q, denied %q, psk %+v", tg.Name(), c.Peer, c.DeniedTopic, tg.Endpoints().PSK)
	}

	pid, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	if cmdline, err := os.ReadFile("/proc/" + strings.TrimSpace(string(pid)) + "/cmdline"); err != nil || !bytes.Contains(cmdline, []byte("mosquitto")) {
		t.Errorf("pid file %q names no mosquitto (%q, %v)", pid, cmdline, err)
	}

	stop <- syscall.SIGTERM
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop within 10s of SIGTERM")
	}
	if _, err := os.Stat(logFile); err != nil {
		t.Errorf("log file: %v", err)
	}
}

func TestRunRefusesUnknownPeer(t *testing.T) {
	err := run([]string{"mochi"}, &bytes.Buffer{}, nil)
	if err == nil || !strings.Contains(err.Error(), "want one peer name, mosquitto") {
		t.Errorf("run(mochi) = %v", err)
	}
}
