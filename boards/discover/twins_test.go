package discover

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestTwins(t *testing.T) {
	dir := t.TempDir()
	me := Twin{PID: os.Getpid(), Board: "pico", Port: "rfc2217://127.0.0.1:4000", Platform: "go twin"}
	remove, err := Announce(dir, me)
	if err != nil {
		t.Fatal(err)
	}
	// A twin that died without removing its announcement.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := Twin{PID: cmd.Process.Pid, Board: "esp32c3", Port: "/dev/pts/9", Platform: "go twin"}
	if _, err := Announce(dir, dead); err != nil {
		t.Fatal(err)
	}
	got, err := Twins(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != me {
		t.Fatalf("Twins = %+v, want only %+v", got, me)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the dead twin's announcement was left: %d files", len(entries))
	}
	if table := FormatTwins(got); !strings.Contains(table, "rfc2217://127.0.0.1:4000") || !strings.Contains(table, "pico") {
		t.Errorf("FormatTwins:\n%s", table)
	}
	remove()
	if got, _ := Twins(dir); len(got) != 0 {
		t.Errorf("after remove: %+v", got)
	}
	if got, err := Twins(filepath.Join(dir, "none")); err != nil || got != nil {
		t.Errorf("Twins of a missing folder = %v, %v", got, err)
	}
}
