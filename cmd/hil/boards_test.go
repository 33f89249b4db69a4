package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/gatomqtt/gatomqtt/boards/discover"
)

// TestBoardsListsRunningTwins: hil boards shows the twins announced on
// this machine beside the USB ports.
func TestBoardsListsRunningTwins(t *testing.T) {
	twinDir = t.TempDir()
	t.Cleanup(func() { twinDir = "" })
	remove, err := discover.Announce(twinDir, discover.Twin{PID: os.Getpid(), Board: "esp32c3", Port: "rfc2217://127.0.0.1:4555", Platform: "go twin with its boot ROM"})
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"boards"}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "rfc2217://127.0.0.1:4555") || !strings.Contains(out.String(), "esp32c3") {
		t.Errorf("hil boards does not list the twin:\n%s", out.String())
	}
	remove()
	out.Reset()
	run(context.Background(), []string{"boards"}, &out, &errOut)
	if strings.Contains(out.String(), "running twins") {
		t.Errorf("hil boards lists a twin that has gone:\n%s", out.String())
	}
}
