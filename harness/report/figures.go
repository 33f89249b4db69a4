package report

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/onsi/ginkgo/v2/types"
)

// FigurePrefix starts the report entries that carry a measured figure
// (harness.Figure adds them).
const FigurePrefix = "figure: "

// A Figure is one measured value of one target, as a memory spec
// reported it.
type Figure struct {
	Suite, Target, Name, Value string
}

// Figures gathers the figures of the specs labelled memory in r.
func Figures(suite, target string, r types.Report) []Figure {
	var fs []Figure
	for _, s := range r.SpecReports {
		if !contains(s.Labels(), "memory") {
			continue
		}
		for _, e := range s.ReportEntries {
			if name, ok := strings.CutPrefix(e.Name, FigurePrefix); ok {
				fs = append(fs, Figure{Suite: suite, Target: target, Name: name, Value: e.StringRepresentation()})
			}
		}
	}
	return fs
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// figuresHeader is the first line of every figures file.
const figuresHeader = "suite\ttarget\tfigure\tvalue"

// WriteFigures writes figures as tab-separated values with a header line.
func WriteFigures(w io.Writer, fs []Figure) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, figuresHeader)
	for _, f := range fs {
		fmt.Fprintln(bw, strings.Join([]string{field(f.Suite), field(f.Target), field(f.Name), field(f.Value)}, "\t"))
	}
	return bw.Flush()
}

// ReadFigures reads figures written by WriteFigures.
func ReadFigures(r io.Reader) ([]Figure, error) {
	sc := bufio.NewScanner(r)
	var fs []Figure
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if line == 1 {
			if text != figuresHeader {
				return nil, fmt.Errorf("line 1: header %q, want %q", text, figuresHeader)
			}
			continue
		}
		if text == "" {
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) != 4 {
			return nil, fmt.Errorf("line %d: %d fields, want 4", line, len(f))
		}
		fs = append(fs, Figure{Suite: f[0], Target: f[1], Name: f[2], Value: f[3]})
	}
	return fs, sc.Err()
}

// WriteFigureTable writes one row per figure and one column per target,
// so that a release check compares boards side by side, and with the
// last release's table. A figure a target did not report shows as "-".
func WriteFigureTable(w io.Writer, fs []Figure) error {
	targets, names := map[string]bool{}, map[string]bool{}
	value := map[[2]string]string{}
	for _, f := range fs {
		targets[f.Target], names[f.Name] = true, true
		value[[2]string{f.Name, f.Target}] = f.Value
	}
	ts, ns := keys(targets), keys(names)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\t"+strings.Join(ts, "\t"))
	for _, n := range ns {
		row := []string{n}
		for _, t := range ts {
			v, ok := value[[2]string{n, t}]
			if !ok {
				v = "-"
			}
			row = append(row, v)
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

func keys(m map[string]bool) []string {
	s := make([]string, 0, len(m))
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}
