package load

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// String summarises the result on one line.
func (r *Result) String() string {
	var b strings.Builder
	label := r.Config.Label
	if label == "" {
		label = r.Config.Addr
	}
	fmt.Fprintf(&b, "%s %s: %.0f msg/s delivered; sent %d, delivered %d of %d, lost %d (%.2f%%)",
		label, r.Config.Scenario(), r.Throughput, r.Sent, r.Delivered, r.Expected, r.Lost, 100*r.LossRatio())
	if r.Unacked > 0 {
		fmt.Fprintf(&b, ", %d unacked", r.Unacked)
	}
	if r.Duplicates > 0 {
		fmt.Fprintf(&b, ", %d duplicated or reordered", r.Duplicates)
	}
	fmt.Fprintf(&b, "; latency p50 %v p99 %v max %v", roundDuration(r.Latency.P50), roundDuration(r.Latency.P99), roundDuration(r.Latency.Max))
	if m := r.MemoryAfter; m != nil {
		fmt.Fprintf(&b, "; broker RSS %s (peak %s)", mib(m.RSS), mib(m.Peak))
	}
	return b.String()
}

func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond)
	case d >= 10*time.Microsecond:
		return d.Round(time.Microsecond)
	}
	return d
}

func mib(bytes uint64) string { return fmt.Sprintf("%.1f MiB", float64(bytes)/(1<<20)) }

// TSVHeader is the first line of a file of TSV rows.
const TSVHeader = "label\tscenario\tqos\tpubs\tsubs\tsize\trate\tpublish_s\tsent\tdelivered\tlost\tloss_pct\tdelivered_per_s\tp50_us\tp99_us\tmax_us\trss_kib\thwm_kib"

// TSVHeader returns TSVHeader, so that a Result is a Report.
func (r *Result) TSVHeader() string { return TSVHeader }

// TSV formats the result as one tab-separated row, without a newline, in
// the columns of TSVHeader. Memory columns are empty without a PID.
func (r *Result) TSV() string {
	c := r.Config
	label := c.Label
	if label == "" {
		label = c.Addr
	}
	rss, hwm := "", ""
	if m := r.MemoryAfter; m != nil {
		rss, hwm = strconv.FormatUint(m.RSS/1024, 10), strconv.FormatUint(m.Peak/1024, 10)
	}
	us := func(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e3, 'f', 1, 64) }
	fields := []string{
		clean(label), c.Scenario(), strconv.Itoa(c.QoS), strconv.Itoa(c.Publishers), strconv.Itoa(c.Subscribers),
		strconv.Itoa(c.PayloadSize), strconv.Itoa(c.Rate),
		strconv.FormatFloat(r.PublishTime.Seconds(), 'f', 2, 64),
		strconv.FormatUint(r.Sent, 10), strconv.FormatUint(r.Delivered, 10), strconv.FormatInt(r.Lost, 10),
		strconv.FormatFloat(100*r.LossRatio(), 'f', 3, 64),
		strconv.FormatFloat(r.Throughput, 'f', 0, 64),
		us(r.Latency.P50), us(r.Latency.P99), us(r.Latency.Max),
		rss, hwm,
	}
	return strings.Join(fields, "\t")
}

// clean keeps a label from breaking the TSV and Markdown layouts.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r == '|' {
			return ' '
		}
		return r
	}, s)
}
