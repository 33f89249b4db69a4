package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"
)

func TestRunPlan(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	began := time.Date(2026, 12, 7, 1, 2, 3, 0, time.UTC)
	ginkgo := func(parallel bool, reports string) string {
		s := "go tool ginkgo -r "
		if parallel {
			s += "-p "
		}
		return s + "--keep-going --junit-report=junit.xml --json-report=report.json --output-dir=" + reports + " "
	}
	defReports := filepath.Join(root, "reports", "hil-20261207-010203")
	tests := []struct {
		name                                        string
		target, port, board, image, suites, reports string
		flash, cmd, err                             string
		extra                                       []string
	}{
		{name: "twin", target: "twin:pico", suites: "suites",
			cmd: ginkgo(true, defReports) + "./suites -- --target=twin:pico"},
		{name: "ginkgo flags", target: "inproc", suites: "suites/connect", reports: "/tmp/r", extra: []string{"--label-filter=!slow", "-v"},
			cmd: ginkgo(true, "/tmp/r") + "--label-filter=!slow -v ./suites/connect -- --target=inproc"},
		{name: "twin flashed in every suite", target: "twin:esp32c3", image: "/img/esp32c3.bin", suites: "suites/connect, suites/qos1", reports: "/tmp/r",
			cmd: ginkgo(true, "/tmp/r") + "./suites/connect ./suites/qos1 -- --target=twin:esp32c3?firmware=/img/esp32c3.bin"},
		{name: "port flashed once", port: "/dev/ttyACM0", board: "esp32c3", image: "/img/a b.bin", suites: "suites", reports: "/tmp/r",
			flash: "serial:///dev/ttyACM0?board=esp32c3&firmware=/img/a%20b.bin",
			cmd:   ginkgo(false, "/tmp/r") + "./suites -- --target=serial:///dev/ttyACM0?board=esp32c3"},
		{name: "auto port, relative image", port: "auto", board: "auto", image: "build/esp32c3.bin", suites: "suites", reports: "/tmp/r",
			flash: "serial://auto?board=auto&firmware=" + filepath.Join(wd, "build/esp32c3.bin"),
			cmd:   ginkgo(false, "/tmp/r") + "./suites -- --target=serial://auto?board=auto"},
		{name: "farm", port: "rfc2217://farm:4000", board: "esp32c3", image: "/i.bin", suites: filepath.Join(root, "suites", "connect"), reports: "/tmp/r",
			flash: "rfc2217://farm:4000?board=esp32c3&firmware=/i.bin",
			cmd:   ginkgo(false, "/tmp/r") + "./suites/connect -- --target=rfc2217://farm:4000?board=esp32c3"},
		{name: "target with firmware and options", target: "rfc2217://farm:4000?board=esp32c3&reset=classic&firmware=/i.bin", suites: "suites", reports: "/tmp/r",
			flash: "rfc2217://farm:4000?board=esp32c3&reset=classic&firmware=/i.bin",
			cmd:   ginkgo(false, "/tmp/r") + "./suites -- --target=rfc2217://farm:4000?board=esp32c3&reset=classic"},
		{name: "relative firmware= in the target", target: "twin:esp32c3?circuit=bridge&firmware=build/e.bin", suites: "suites", reports: "/tmp/r",
			cmd: ginkgo(true, "/tmp/r") + "./suites -- --target=twin:esp32c3?circuit=bridge&firmware=" + filepath.Join(wd, "build/e.bin")},
		{name: "no target", suites: "suites", err: "give -target T, or -port P"},
		{name: "both", target: "twin:pico", port: "/dev/ttyACM0", suites: "suites", err: "not both"},
		{name: "firmware twice", target: "twin:esp32c3?firmware=/a.bin", image: "/b.bin", suites: "suites", err: "names firmware= already"},
		{name: "no such suite", target: "twin:pico", suites: "suites/nope", err: "suites/nope is not a folder of the module"},
		{name: "suite outside", target: "twin:pico", suites: "/tmp", err: "/tmp is not in the module"},
		{name: "no suites", target: "twin:pico", suites: " , ", err: "-suites names no folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := plan(tt.target, tt.port, tt.board, tt.image, tt.suites, tt.reports, root, began, tt.extra)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("plan: %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(p.cmd.Args, " "); got != tt.cmd {
				t.Errorf("command\n%s\nwant\n%s", got, tt.cmd)
			}
			if p.flash != tt.flash {
				t.Errorf("flashed through %q, want %q", p.flash, tt.flash)
			}
			reports := tt.reports
			if reports == "" {
				reports = defReports
			}
			if p.cmd.Dir != root || len(p.cmd.Env) != 1 || p.cmd.Env[0] != "GATOMQTT_REPORT_DIR="+reports {
				t.Errorf("ginkgo runs in %s with %q, want %s with GATOMQTT_REPORT_DIR=%s", p.cmd.Dir, p.cmd.Env, root, reports)
			}
		})
	}
}

// fakeSuites stands in for ginkgo: it writes the JSON report of a suite
// whose specs end in states, the first starting at start.
func fakeSuites(t *testing.T, start time.Time, states ...types.SpecState) func(context.Context, command) error {
	return func(_ context.Context, c command) error {
		var dir string
		for _, a := range c.Args {
			if d, ok := strings.CutPrefix(a, "--output-dir="); ok {
				dir = d
			}
		}
		r := types.Report{SuiteDescription: "connect"}
		failed := false
		for i, s := range states {
			sr := types.SpecReport{LeafNodeType: types.NodeTypeIt, LeafNodeText: "spec", State: s,
				StartTime: start.Add(time.Duration(i) * time.Second), RunTime: time.Millisecond}
			if s == types.SpecStateFailed {
				sr.Failure.Message = "CONNACK 5, want 0\nmore"
				failed = true
			}
			r.SpecReports = append(r.SpecReports, sr)
		}
		data, err := json.Marshal([]types.Report{r})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, jsonName), data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, junitName), []byte("<testsuites/>"), 0o644); err != nil {
			t.Fatal(err)
		}
		if failed {
			return errors.New("exit status 1")
		}
		return nil
	}
}

func TestRunOutcomes(t *testing.T) {
	savedRun, savedFlash := runCommand, flashTarget
	t.Cleanup(func() { runCommand, flashTarget = savedRun, savedFlash })
	soon := time.Now().Add(90 * time.Minute) // the first spec's start, after hil run's
	tests := []struct {
		name     string
		args     []string
		suites   func(context.Context, command) error
		flashErr error
		code     int
		ran      bool     // whether ginkgo ran
		flashed  string   // the target flashed through
		out, err []string // substrings of stdout and stderr
	}{
		{name: "passed", args: []string{"-target", "twin:pico", "--", "--focus=CONNACK"},
			suites: fakeSuites(t, soon, types.SpecStatePassed, types.SpecStateSkipped), code: exitOK, ran: true,
			out: []string{"--focus=CONNACK ./suites -- --target=twin:pico", "JUnit report: ", "time to the first spec: 5400.", "specs: 1 passed, 0 failed, 1 skipped"}},
		{name: "failed", args: []string{"-target", "twin:pico"},
			suites: fakeSuites(t, soon, types.SpecStatePassed, types.SpecStateFailed), code: exitFail, ran: true,
			err: []string{"specs failed (1):", "connect: spec: CONNACK 5, want 0"}},
		{name: "ginkgo failed without a report", args: []string{"-target", "twin:pico"},
			suites: func(context.Context, command) error { return errors.New("exit status 2") }, code: exitFail, ran: true,
			err: []string{"the suites failed before reporting (exit status 2)"}},
		{name: "ginkgo failed, no spec did", args: []string{"-target", "twin:pico"},
			suites: func(ctx context.Context, c command) error {
				fakeSuites(t, soon)(ctx, c)
				return errors.New("exit status 1")
			}, code: exitFail, ran: true,
			out: []string{"no spec started"}, err: []string{"ginkgo failed with no spec failing"}},
		{name: "flashing failed", args: []string{"-port", "/dev/ttyACM0", "-board", "esp32c3", "-firmware", "/x.bin"},
			flashErr: errors.New("the ROM loader did not answer"), code: exitFail, flashed: "serial:///dev/ttyACM0?board=esp32c3&firmware=/x.bin",
			err: []string{"flashing failed, no suite was run: the ROM loader did not answer"}},
		{name: "flashed", args: []string{"-port", "/dev/ttyACM0", "-board", "esp32c3", "-firmware", "/x.bin"},
			suites: fakeSuites(t, soon, types.SpecStatePassed), code: exitOK, ran: true, flashed: "serial:///dev/ttyACM0?board=esp32c3&firmware=/x.bin",
			out: []string{"flashing /x.bin through serial:///dev/ttyACM0?board=esp32c3&firmware=/x.bin", "--target=serial:///dev/ttyACM0?board=esp32c3\n"}},
		{name: "stray argument", args: []string{"-target", "twin:pico", "suites"}, code: exitUsage, err: []string{`unexpected argument "suites"`}},
		{name: "bad flag", args: []string{"-targte", "twin:pico"}, code: exitUsage, err: []string{"flag provided but not defined"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ran, flashed := false, ""
			var out, errOut bytes.Buffer
			runCommand = func(ctx context.Context, c command, stdout, stderr io.Writer) error {
				ran = true
				return tt.suites(ctx, c)
			}
			flashTarget = func(_ context.Context, s string) error { flashed = s; return tt.flashErr }
			args := append([]string{"run", "-reports", t.TempDir()}, tt.args...)
			code := run(context.Background(), args, &out, &errOut)
			if code != tt.code || ran != tt.ran || flashed != tt.flashed {
				t.Errorf("exit %d, ginkgo ran %v, flashed %q; want %d, %v, %q\nstdout:\n%s\nstderr:\n%s", code, ran, flashed, tt.code, tt.ran, tt.flashed, &out, &errOut)
			}
			for _, w := range tt.out {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout does not say %q:\n%s", w, &out)
				}
			}
			for _, w := range tt.err {
				if !strings.Contains(errOut.String(), w) {
					t.Errorf("stderr does not say %q:\n%s", w, &errOut)
				}
			}
		})
	}
}

// TestRunTwin runs the connect suite on a Pico twin through ginkgo, as a
// user's hil run does.
func TestRunTwin(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ginkgo on a suite")
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"run", "-target", "twin:pico", "-suites", "suites/connect", "-reports", t.TempDir()}, &out, &errOut)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, &out, &errOut)
	}
	m := regexp.MustCompile(`(?m)^JUnit report: (.*)$`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no JUnit report named:\n%s", &out)
	}
	if st, err := os.Stat(m[1]); err != nil || st.Size() == 0 {
		t.Errorf("JUnit report %s: %v", m[1], err)
	}
	for _, want := range []string{"statement matrix (", "MQTT-3.1.0-1", "time to the first spec: ", "specs: "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout does not say %q", want)
		}
	}
}
