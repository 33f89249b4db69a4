package load

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Row is one line of a TSV file written from Result.TSV: the figures a
// comparison table needs.
type Row struct {
	Label      string
	Scenario   string
	Throughput float64 // delivered messages per second
	Lost       int64
	LossPct    float64
	P50, P99   float64 // microseconds
	RSS, HWM   float64 // KiB; 0 when not measured
}

// ReadTSV reads rows written under TSVHeader. Lines that repeat the
// header are skipped, so files from several runs can be concatenated.
func ReadTSV(r io.Reader) ([]Row, error) {
	var rows []Row
	cols := strings.Split(TSVHeader, "\t")
	index := make(map[string]int, len(cols))
	for i, c := range cols {
		index[c] = i
	}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if text == "" || text == TSVHeader {
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) != len(cols) {
			return nil, fmt.Errorf("load: TSV line %d has %d fields, want %d", line, len(f), len(cols))
		}
		var err error
		num := func(name string) float64 {
			s := f[index[name]]
			if s == "" || err != nil {
				return 0
			}
			var v float64
			v, err = strconv.ParseFloat(s, 64)
			if err != nil {
				err = fmt.Errorf("load: TSV line %d, column %s: %w", line, name, err)
			}
			return v
		}
		row := Row{
			Label:      f[index["label"]],
			Scenario:   f[index["scenario"]],
			Throughput: num("delivered_per_s"),
			Lost:       int64(num("lost")),
			LossPct:    num("loss_pct"),
			P50:        num("p50_us"),
			P99:        num("p99_us"),
			RSS:        num("rss_kib"),
			HWM:        num("hwm_kib"),
		}
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("load: reading TSV: %w", err)
	}
	return rows, nil
}

// WriteMarkdown writes rows as a Markdown table, grouped by scenario in
// the order scenarios first appear, with each figure also given as a ratio
// to the row of the same scenario labelled baseline. A ratio above 1 means
// more messages per second, or more latency or memory, than the baseline.
func WriteMarkdown(w io.Writer, rows []Row, baseline string) error {
	var order []string
	byScenario := map[string][]Row{}
	for _, r := range rows {
		if _, ok := byScenario[r.Scenario]; !ok {
			order = append(order, r.Scenario)
		}
		byScenario[r.Scenario] = append(byScenario[r.Scenario], r)
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "| scenario | broker | delivered msg/s | × %[1]s | loss | p50 µs | × %[1]s | p99 µs | × %[1]s | RSS after MiB | peak RSS MiB | × %[1]s |\n", baseline)
	fmt.Fprintln(bw, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, sc := range order {
		var base *Row
		for i, r := range byScenario[sc] {
			if r.Label == baseline {
				base = &byScenario[sc][i]
			}
		}
		for _, r := range byScenario[sc] {
			ratio := func(v func(Row) float64) string {
				if base == nil || v(*base) == 0 {
					return "–"
				}
				return fmt.Sprintf("%.2f", v(r)/v(*base))
			}
			memory := func(kib float64) string {
				if kib == 0 {
					return "–"
				}
				return fmt.Sprintf("%.1f", kib/1024)
			}
			fmt.Fprintf(bw, "| %s | %s | %.0f | %s | %d (%.2f%%) | %.0f | %s | %.0f | %s | %s | %s | %s |\n",
				sc, r.Label,
				r.Throughput, ratio(func(r Row) float64 { return r.Throughput }),
				r.Lost, r.LossPct,
				r.P50, ratio(func(r Row) float64 { return r.P50 }),
				r.P99, ratio(func(r Row) float64 { return r.P99 }),
				memory(r.RSS), memory(r.HWM), ratio(func(r Row) float64 { return r.HWM }))
		}
	}
	return bw.Flush()
}
