// Package smoke_test is the harness's own Ginkgo suite: it proves that a
// suite built on the harness starts its target, skips with reasons, drives
// paho and raw clients, clears persistent sessions and writes its coverage
// report. Run it on any target:
//
//	go test ./harness/smoke
//	go tool ginkgo ./harness/smoke -- --target=inproc:pico
//	go tool ginkgo ./harness/smoke -- --target='tcp://127.0.0.1:1883?peer=mosquitto'
package smoke_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gatomqtt/gatomqtt/harness"
	"github.com/gatomqtt/gatomqtt/harness/report"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

const suiteName = "harness-smoke"

var _ = harness.Setup(suiteName)

func TestSmoke(t *testing.T) {
	if os.Getenv(report.EnvDir) == "" {
		t.Setenv(report.EnvDir, t.TempDir()) // keep go test from writing into the tree
	}
	RegisterFailHandler(Fail)
	if !RunSpecs(t, "harness smoke") {
		return
	}
	checkReport(t)
}

// checkReport reads back the coverage rows the suite wrote, proving that
// Setup's ReportAfterSuite ran and that Require's skip reason reached it.
func checkReport(t *testing.T) {
	suiteCfg, _ := GinkgoConfiguration()
	if suiteCfg.ParallelProcess != 1 || suiteCfg.LabelFilter != "" || len(suiteCfg.FocusStrings) > 0 {
		return // only process 1 writes the report, and filters change it
	}
	path := filepath.Join(report.Dir(), report.FileBase(suiteName, harness.ReportName())+".tsv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("coverage report not written: %v", err)
	}
	defer f.Close()
	rows, err := report.ReadTSV(f)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]report.Row{}
	for _, r := range rows {
		got[r.Statement] = r
	}
	want := report.Passed
	if harness.ReportName() == "smokedev" {
		want = report.Deviation // see TestDeviationIsSkippedAndReported
	}
	if r := got["MQTT-3.1.0-2"]; r.Outcome != want {
		t.Errorf("report row for MQTT-3.1.0-2 = %+v, want %s", r, want)
	}
	if r := got["MQTT-3.1.2-5"]; r.Outcome != report.Skipped || r.Reason == "" {
		t.Errorf("report row for MQTT-3.1.2-5 = %+v, want skipped with the reason", r)
	}
}
