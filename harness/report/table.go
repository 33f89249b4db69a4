package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/gatomqtt/gatomqtt/fixtures"
)

// WriteTable writes one line per statement that is server-side checkable
// or checked by some spec, in the standard's order, with its overall
// outcome on each target ("-" where no spec covers it), followed by each
// target's summary line. With tsv set the table is tab-separated with a
// header line, for machines; otherwise it is aligned for people.
func WriteTable(w io.Writer, covs []Coverage, catalogue []fixtures.Statement, tsv bool) error {
	bw := bufio.NewWriter(w)
	sep := "  "
	if tsv {
		sep = "\t"
	}
	header := []string{"statement", "binds"}
	for _, c := range covs {
		header = append(header, c.Target)
	}
	width := make([]int, len(header))
	var lines [][]string
	lines = append(lines, header)
	for _, s := range catalogue {
		checked := false
		for _, c := range covs {
			checked = checked || c.Checked[s.ID] != nil
		}
		if !checked && !ServerSide(s) {
			continue
		}
		line := []string{s.ID, s.Binds}
		for _, c := range covs {
			cell := "-"
			if t := c.Checked[s.ID]; t != nil {
				cell = fmt.Sprintf("%s(%d)", t.Outcome(), t.Specs)
			}
			line = append(line, cell)
		}
		lines = append(lines, line)
	}
	for _, l := range lines {
		for i, f := range l {
			width[i] = max(width[i], len(f))
		}
	}
	for _, l := range lines {
		if tsv {
			fmt.Fprintln(bw, strings.Join(l, sep))
			continue
		}
		for i, f := range l {
			if i == len(l)-1 {
				fmt.Fprint(bw, f)
			} else {
				fmt.Fprintf(bw, "%-*s%s", width[i], f, sep)
			}
		}
		fmt.Fprintln(bw)
	}
	if !tsv {
		fmt.Fprintln(bw)
		for _, c := range covs {
			fmt.Fprintln(bw, c.Summary())
		}
	}
	return bw.Flush()
}
