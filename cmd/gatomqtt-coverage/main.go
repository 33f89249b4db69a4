// Command gatomqtt-coverage merges the per-suite statement coverage files
// the conformance suites write (coverage-<suite>-<target>.tsv) into one
// table across all suites: for every checkable server-side statement of
// MQTT 3.1.1, and every statement some spec checks, its outcome on each
// target, then one summary line per target.
//
// Usage:
//
//	gatomqtt-coverage [-tsv] [-o file] [-strict] [file or directory ...]
//
// Without arguments it reads $GATOMQTT_REPORT_DIR, else reports/ in the
// module root. Directories contribute their coverage-*.tsv files. With
// -strict it exits with status 1 when a statement failed on some target.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/gatomqtt/gatomqtt/fixtures"
	"github.com/gatomqtt/gatomqtt/harness/report"
)

func main() {
	tsv := flag.Bool("tsv", false, "write the table tab-separated, for machines")
	out := flag.String("o", "", "write to this file instead of standard output")
	strict := flag.Bool("strict", false, "exit 1 when any statement failed on any target")
	figures := flag.String("figures", "", "also write the memory figures of every target, side by side, to this file")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: gatomqtt-coverage [-tsv] [-o file] [-strict] [-figures file] [file or directory ...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	failed, err := run(flag.Args(), *tsv, *out)
	if err == nil && *figures != "" {
		err = writeFigures(flag.Args(), *figures)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gatomqtt-coverage:", err)
		os.Exit(2)
	}
	if *strict && failed > 0 {
		fmt.Fprintf(os.Stderr, "gatomqtt-coverage: %d statement outcomes failed\n", failed)
		os.Exit(1)
	}
}

// run merges the coverage files named by args and writes the table; it
// returns how many (target, statement) pairs failed.
func run(args []string, tsv bool, outPath string) (int, error) {
	if len(args) == 0 {
		args = []string{report.Dir()}
	}
	files, err := expand(args)
	if err != nil {
		return 0, err
	}
	if len(files) == 0 {
		return 0, fmt.Errorf("no coverage-*.tsv files in %v", args)
	}
	var rows []report.Row
	for _, f := range files {
		r, err := readFile(f)
		if err != nil {
			return 0, err
		}
		rows = append(rows, r...)
	}
	catalogue := fixtures.Statements()
	covs := report.Merge(rows, catalogue)

	var w io.Writer = os.Stdout
	if outPath != "" {
		f, err := os.Create(outPath)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		w = f
	}
	if err := report.WriteTable(w, covs, catalogue, tsv); err != nil {
		return 0, err
	}
	failed := 0
	for _, c := range covs {
		failed += c.Count()[report.Failed]
	}
	return failed, nil
}

// expand turns directories into their coverage-*.tsv files, sorted.
func expand(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		m, err := filepath.Glob(filepath.Join(a, "coverage-*.tsv"))
		if err != nil {
			return nil, err
		}
		sort.Strings(m)
		files = append(files, m...)
	}
	return files, nil
}

func readFile(path string) ([]report.Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := report.ReadTSV(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rows, nil
}

// writeFigures gathers the figures-*.tsv files in the directories of args
// (default: the report directory) into one table at outPath.
func writeFigures(args []string, outPath string) error {
	if len(args) == 0 {
		args = []string{report.Dir()}
	}
	var fs []report.Figure
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return err
		}
		if !st.IsDir() {
			continue
		}
		files, err := filepath.Glob(filepath.Join(a, "figures-*.tsv"))
		if err != nil {
			return err
		}
		sort.Strings(files)
		for _, name := range files {
			f, err := os.Open(name)
			if err != nil {
				return err
			}
			got, err := report.ReadFigures(f)
			f.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			fs = append(fs, got...)
		}
	}
	out, err := os.Create(outPath)
	if err != nil {
		return err
	}
	if err := report.WriteFigureTable(out, fs); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
