package load

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// The attack scenarios (RunSlowConsumers, RunStorePressure,
// RunWildcardPressure) each load a broker in one way that a bounded broker
// must survive, and measure what ordinary clients get meanwhile. They run
// against any MQTT 3.1.1 broker. Their results share one shape, Report,
// so that cmd/gatomqtt-load prints them alike and bench/run.sh tabulates
// them with WriteTSVTable.
//
// The scenarios that leave persistent sessions behind use fixed client
// identifiers (gatoload-<scenario>-<i>), connect each with a clean session
// first, so that a run starts from nothing whatever an earlier one left,
// and again at the end, so that the broker drops them. Two such runs
// against one broker at the same time would take each other's sessions.

// A Report is what one scenario measured: one line for people, and one
// TSV row under its own header, for tables.
type Report interface {
	String() string
	TSVHeader() string
	TSV() string
}

// setupBuf is the read and write buffer of a connection that only sets
// up sessions and subscriptions: it must hold a SUBACK and a SUBSCRIBE of
// up to maxSubscribeBytes.
const setupBuf = 8 << 10

// cleanSessions connects under each id with a clean session and
// disconnects, so that the broker discards the persistent sessions of
// those ids and their queued messages. It tries every id and reports the
// first failure.
func cleanSessions(ctx context.Context, addr string, ids []string, timeout time.Duration) error {
	var first error
	for _, id := range ids {
		c, err := dialWith(ctx, addr, dialOptions{clientID: id, clean: true, readBuf: 512, writeBuf: 512, timeout: timeout})
		if err != nil {
			if first == nil {
				first = fmt.Errorf("load: cleaning up session %s: %w", id, err)
			}
			if ctx.Err() != nil {
				return first
			}
			continue
		}
		c.close()
	}
	return first
}

// cleanupContext bounds a clean-up that must run even when ctx, which
// ended the scenario, is done.
func cleanupContext(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), timeout)
}

// sessionIDs names n persistent sessions of a scenario.
func sessionIDs(scenario string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("gatoload-%s-%d", scenario, i)
	}
	return ids
}

// label names the broker of cfg in reports.
func label(cfg *Config) string {
	if cfg.Label != "" {
		return clean(cfg.Label)
	}
	return cfg.Addr
}

// ms formats d in milliseconds for TSV columns.
func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/1e6) }

// pct is part of whole in percent, 0 for an empty whole.
func pct(part int64, whole uint64) float64 {
	if whole == 0 {
		return 0
	}
	return 100 * float64(part) / float64(whole)
}

// WriteTSVTable writes TSV rows of any one header (a Report's) as a
// Markdown table, with the header's columns as its titles. Lines that
// repeat the header are skipped, so files from several runs can be
// concatenated; a line with another number of fields is an error.
func WriteTSVTable(w io.Writer, r io.Reader) error {
	sc := bufio.NewScanner(r)
	bw := bufio.NewWriter(w)
	var header string
	cols, line := 0, 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if text == "" || text == header {
			continue
		}
		f := strings.Split(text, "\t")
		if header == "" {
			header, cols = text, len(f)
			fmt.Fprintf(bw, "| %s |\n", strings.Join(f, " | "))
			fmt.Fprintf(bw, "|---|---|%s\n", strings.Repeat("--:|", max(cols-2, 0)))
			continue
		}
		if len(f) != cols {
			return fmt.Errorf("load: TSV line %d has %d fields, want %d", line, len(f), cols)
		}
		fmt.Fprintf(bw, "| %s |\n", strings.Join(f, " | "))
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("load: reading TSV: %w", err)
	}
	if header == "" {
		return errors.New("load: empty TSV")
	}
	return bw.Flush()
}
