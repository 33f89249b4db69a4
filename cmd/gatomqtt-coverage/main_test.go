package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatomqtt/gatomqtt/harness/report"
)

func writeRows(t *testing.T, path string, rows []report.Row) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := report.WriteTSV(f, rows); err != nil {
		t.Fatal(err)
	}
}

func TestMergeAcrossSuites(t *testing.T) {
	dir := t.TempDir()
	writeRows(t, filepath.Join(dir, "coverage-connect-inproc.tsv"), []report.Row{
		{Suite: "connect", Target: "inproc", Statement: "MQTT-3.1.0-2", Outcome: report.Passed, Spec: "a"},
	})
	writeRows(t, filepath.Join(dir, "coverage-qos1-inproc.tsv"), []report.Row{
		{Suite: "qos1", Target: "inproc", Statement: "MQTT-3.1.0-2", Outcome: report.Failed, Spec: "b", Reason: "boom"},
		{Suite: "qos1", Target: "inproc", Statement: "MQTT-4.4.0-1", Outcome: report.Passed, Spec: "c"},
	})
	os.WriteFile(filepath.Join(dir, "unrelated.tsv"), []byte("x"), 0o644)
	out := filepath.Join(t.TempDir(), "table.tsv")

	failed, err := run([]string{dir}, true, out)
	if err != nil {
		t.Fatal(err)
	}
	if failed != 1 {
		t.Errorf("failed = %d, want 1 (MQTT-3.1.0-2 failed in one suite)", failed)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, want := range []string{"statement\tbinds\tinproc\n", "MQTT-3.1.0-2\tserver\tfailed(2)\n", "MQTT-4.4.0-1\tboth\tpassed(1)\n", "MQTT-3.1.2-2\tserver\t-\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q", want)
		}
	}

	if _, err := run([]string{t.TempDir()}, false, ""); err == nil || !strings.Contains(err.Error(), "no coverage-") {
		t.Errorf("empty directory: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "coverage-x-y.tsv")
	os.WriteFile(bad, []byte("not a header\n"), 0o644)
	if _, err := run([]string{bad}, false, ""); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("bad file: %v", err)
	}
}
