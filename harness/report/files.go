package report

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gatomqtt/gatomqtt/fixtures"
	"github.com/onsi/ginkgo/v2/types"
)

// tsvHeader is the first line of every rows file.
const tsvHeader = "suite\ttarget\tstatement\toutcome\tspec\treason"

// WriteTSV writes rows as tab-separated values with a header line.
func WriteTSV(w io.Writer, rows []Row) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, tsvHeader)
	for _, r := range rows {
		fmt.Fprintln(bw, strings.Join([]string{
			field(r.Suite), field(r.Target), field(r.Statement), field(string(r.Outcome)), field(r.Spec), field(r.Reason),
		}, "\t"))
	}
	return bw.Flush()
}

// field makes s safe for one TSV field.
func field(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}

// ReadTSV reads rows written by WriteTSV.
func ReadTSV(r io.Reader) ([]Row, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var rows []Row
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if line == 1 {
			if text != tsvHeader {
				return nil, fmt.Errorf("line 1: header %q, want %q", text, tsvHeader)
			}
			continue
		}
		if text == "" {
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) != 6 {
			return nil, fmt.Errorf("line %d: %d fields, want 6", line, len(f))
		}
		o := Outcome(f[3])
		switch o {
		case Passed, Failed, Skipped, Deviation, Pending:
		default:
			return nil, fmt.Errorf("line %d: unknown outcome %q", line, f[3])
		}
		rows = append(rows, Row{Suite: f[0], Target: f[1], Statement: f[2], Outcome: o, Spec: f[4], Reason: f[5]})
	}
	return rows, sc.Err()
}

// Summary is the one-line account of c printed after a suite.
func (c Coverage) Summary() string {
	n := c.Count()
	s := fmt.Sprintf("coverage %s on %s: %d statements checked (%d passed, %d failed, %d known deviations, %d skipped), %d checkable server-side statements not covered",
		strings.Join(c.Suites, "+"), c.Target, len(c.Checked), n[Passed], n[Failed], n[Deviation], n[Skipped], len(c.Uncovered))
	if len(c.Unknown) > 0 {
		s += fmt.Sprintf(", %d unknown statement labels", len(c.Unknown))
	}
	return s
}

// WriteText writes a human-readable report: the summary, then failed,
// deviated, skipped and passed statements with their specs, then the
// statements no spec covers.
func WriteText(w io.Writer, c Coverage) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, c.Summary())
	bySpec := map[string][]Row{}
	for _, r := range c.Rows {
		bySpec[r.Statement] = append(bySpec[r.Statement], r)
	}
	for _, o := range []Outcome{Failed, Deviation, Skipped, Passed} {
		ids := c.IDs(o)
		if len(ids) == 0 {
			continue
		}
		fmt.Fprintf(bw, "\n%s (%d)\n", o, len(ids))
		for _, id := range ids {
			t := c.Checked[id]
			fmt.Fprintf(bw, "  %-16s specs %d: %d passed, %d failed, %d deviation, %d skipped\n",
				id, t.Specs, t.Passed, t.Failed, t.Deviated, t.Skipped)
			if o == Passed {
				continue
			}
			for _, r := range bySpec[id] {
				if r.Outcome == Passed {
					continue
				}
				fmt.Fprintf(bw, "      %s [%s] %s: %s\n", r.Outcome, r.Suite, r.Spec, r.Reason)
			}
		}
	}
	if len(c.Uncovered) > 0 {
		fmt.Fprintf(bw, "\nnot covered (%d checkable server-side statements)\n", len(c.Uncovered))
		for _, s := range c.Uncovered {
			fmt.Fprintf(bw, "  %-16s %s\n", s.ID, s.Paraphrase)
		}
	}
	if len(c.Unknown) > 0 {
		fmt.Fprintf(bw, "\nlabels that look like statement IDs but are not in fixtures/statements.tsv\n  %s\n",
			strings.Join(c.Unknown, " "))
	}
	return bw.Flush()
}

// EnvDir names the directory reports are written to.
const EnvDir = "GATOMQTT_REPORT_DIR"

// Dir is where reports go: $GATOMQTT_REPORT_DIR, else "reports" in the
// module root above the working directory, else "reports" here.
func Dir() string {
	if d := os.Getenv(EnvDir); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return "reports"
	}
	for d := wd; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "reports")
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "reports"
		}
		d = parent
	}
}

// FileBase is the file name, without extension, of a suite's report on a
// target: coverage-<suite>-<target>, with the target reduced to letters,
// digits, '-' and '_'.
func FileBase(suite, target string) string {
	clean := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			if r < 128 && ('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-') {
				b.WriteRune(r)
			} else {
				b.WriteByte('_')
			}
		}
		return strings.Trim(b.String(), "_")
	}
	return "coverage-" + clean(suite) + "-" + clean(target)
}

// AfterSuite writes the coverage of one suite's run on target into Dir as
// <FileBase>.tsv and .txt, and the figures of its memory specs as
// figures-<suite>-<target>.tsv, and returns the one-line summary. Suites call it
// from ReportAfterSuite (harness.Setup does).
func AfterSuite(suite, target string, r types.Report) (string, error) {
	rows := Rows(suite, target, r)
	c := Compute(target, rows, fixtures.Statements())
	if len(c.Suites) == 0 {
		c.Suites = []string{suite}
	}
	dir := Dir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	base := filepath.Join(dir, FileBase(suite, target))
	if err := writeFile(base+".tsv", func(w io.Writer) error { return WriteTSV(w, rows) }); err != nil {
		return "", err
	}
	if err := writeFile(base+".txt", func(w io.Writer) error { return WriteText(w, c) }); err != nil {
		return "", err
	}
	if fs := Figures(suite, target, r); len(fs) > 0 {
		if err := writeFile(filepath.Join(dir, "figures"+strings.TrimPrefix(FileBase(suite, target), "coverage")+".tsv"),
			func(w io.Writer) error { return WriteFigures(w, fs) }); err != nil {
			return "", err
		}
	}
	return c.Summary() + " -> " + base + ".txt", nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("report: writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// Merge computes coverage per target across the rows of many suites,
// sorted by target.
func Merge(rows []Row, catalogue []fixtures.Statement) []Coverage {
	byTarget := map[string][]Row{}
	for _, r := range rows {
		byTarget[r.Target] = append(byTarget[r.Target], r)
	}
	var out []Coverage
	for _, t := range sortedTargets(byTarget) {
		out = append(out, Compute(t, byTarget[t], catalogue))
	}
	return out
}

func sortedTargets(m map[string][]Row) []string {
	k := make(map[string]bool, len(m))
	for t := range m {
		k[t] = true
	}
	return sortedKeys(k)
}
