package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/gatomqtt/gatomqtt/fixtures"
	"github.com/gatomqtt/gatomqtt/harness/report"
)

// A tally is what the suites' reports say about a run.
type tally struct {
	passed, failed, skipped int
	failures                []string // "suite: spec: message" of each failure
	firstSpec               time.Time
}

// readTally reads the JSON report ginkgo wrote (one types.Report per
// suite).
func readTally(path string) (tally, error) {
	var t tally
	data, err := os.ReadFile(path)
	if err != nil {
		return t, err
	}
	var rs []types.Report
	if err := json.Unmarshal(data, &rs); err != nil {
		return t, fmt.Errorf("reading ginkgo's report %s: %w", path, err)
	}
	for _, r := range rs {
		for _, s := range r.SpecReports {
			if s.State.Is(types.SpecStateFailureStates) {
				t.failed++
				msg, _, _ := strings.Cut(s.Failure.Message, "\n")
				t.failures = append(t.failures, fmt.Sprintf("%s: %s: %s", r.SuiteDescription, specName(s), msg))
				continue
			}
			if s.LeafNodeType != types.NodeTypeIt {
				continue
			}
			switch {
			case s.State == types.SpecStatePassed:
				t.passed++
			case s.State.Is(types.SpecStateSkipped | types.SpecStatePending):
				t.skipped++
			}
			// A spec the filters skipped never started; one that called
			// Skip did, on a running target.
			if s.State != types.SpecStatePending && !s.StartTime.IsZero() && (s.State != types.SpecStateSkipped || s.RunTime > 0) {
				if t.firstSpec.IsZero() || s.StartTime.Before(t.firstSpec) {
					t.firstSpec = s.StartTime
				}
			}
		}
	}
	return t, nil
}

func specName(s types.SpecReport) string {
	if s.LeafNodeType != types.NodeTypeIt {
		return s.LeafNodeType.String()
	}
	return s.FullText()
}

// summarize prints what the reports in dir say about the run that began
// at began and ended with runErr, and returns hil run's exit status.
func summarize(dir string, began time.Time, runErr error, stdout, stderr io.Writer) int {
	fmt.Fprintln(stdout)
	t, err := readTally(filepath.Join(dir, jsonName))
	if err != nil {
		if runErr != nil {
			fmt.Fprintf(stderr, "hil run: the suites failed before reporting (%v): see ginkgo's output above\n", runErr)
		} else {
			fmt.Fprintf(stderr, "hil run: %v\n", err)
		}
		return exitFail
	}
	junits, _ := filepath.Glob(filepath.Join(dir, "junit*.xml"))
	for _, j := range junits {
		fmt.Fprintf(stdout, "JUnit report: %s\n", j)
	}
	if err := writeSummaries(dir, stdout); err != nil {
		fmt.Fprintf(stderr, "hil run: %v\n", err)
	}
	if t.firstSpec.IsZero() {
		fmt.Fprintln(stdout, "time to the first spec: no spec started")
	} else {
		fmt.Fprintf(stdout, "time to the first spec: %.1fs (from hil run's start; flashing, building and the target's start included)\n", t.firstSpec.Sub(began).Seconds())
	}
	fmt.Fprintf(stdout, "specs: %d passed, %d failed, %d skipped\n", t.passed, t.failed, t.skipped)
	switch {
	case t.failed > 0:
		fmt.Fprintf(stderr, "hil run: specs failed (%d):\n  %s\n", t.failed, strings.Join(t.failures, "\n  "))
		return exitFail
	case runErr != nil:
		fmt.Fprintf(stderr, "hil run: ginkgo failed with no spec failing (%v): a suite did not build, or the run was interrupted; see ginkgo's output above\n", runErr)
		return exitFail
	}
	return exitOK
}

// writeSummaries prints the statement matrix and the memory figures of
// the suites' reports in dir, and keeps them there as coverage.txt and
// figures.txt, as ci/suites.sh does through gatomqtt-coverage.
func writeSummaries(dir string, stdout io.Writer) error {
	var rows []report.Row
	var figs []report.Figure
	if err := readEach(dir, "coverage-*.tsv", func(r io.Reader) error {
		got, err := report.ReadTSV(r)
		rows = append(rows, got...)
		return err
	}); err != nil {
		return err
	}
	if err := readEach(dir, "figures-*.tsv", func(r io.Reader) error {
		got, err := report.ReadFigures(r)
		figs = append(figs, got...)
		return err
	}); err != nil {
		return err
	}
	var errs []error
	if len(rows) == 0 {
		fmt.Fprintln(stdout, "statement matrix: no coverage files: no suite reached its end")
	} else {
		catalogue := fixtures.Statements()
		covs := report.Merge(rows, catalogue)
		errs = append(errs, tee(filepath.Join(dir, "coverage.txt"), "statement matrix", stdout,
			func(w io.Writer) error { return report.WriteTable(w, covs, catalogue, false) }))
	}
	if len(figs) == 0 {
		fmt.Fprintln(stdout, "memory figures: none (no memory suite ran)")
	} else {
		errs = append(errs, tee(filepath.Join(dir, "figures.txt"), "memory figures", stdout,
			func(w io.Writer) error { return report.WriteFigureTable(w, figs) }))
	}
	return errors.Join(errs...)
}

// readEach calls read on every file in dir matching pattern, in name
// order.
func readEach(dir, pattern string, read func(io.Reader) error) error {
	names, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		err = read(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// tee writes a table, titled, to stdout and to the file at path.
func tee(path, title string, stdout io.Writer, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s (%s):\n", title, path)
	if err := write(io.MultiWriter(stdout, f)); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}
