// Package report turns Ginkgo reports into statement coverage: for each
// normative statement of MQTT 3.1.1, which specs checked it against which
// target and with what outcome, and which checkable server-side statements
// no spec covers.
//
// A spec covers a statement by carrying its ID as a label. Each suite
// writes one TSV of rows (one per spec and statement label) and a text
// summary from its ReportAfterSuite; Merge combines the TSVs of all suites,
// because coverage is a property of the whole set of suites
// (cmd/gatomqtt-coverage does that from the command line).
//
// Limits: a spec's outcome is attributed to every statement it is labelled
// with; the report cannot tell which assertion of a spec checked which
// statement.
package report

import (
	"sort"
	"strings"

	"github.com/gatomqtt/gatomqtt/harness/target"

	"github.com/gatomqtt/gatomqtt/fixtures"
	"github.com/onsi/ginkgo/v2/types"
)

// Outcome is what happened to one spec.
type Outcome string

// Outcomes, from worst to best as Coverage ranks them for a statement.
const (
	Failed    Outcome = "failed"    // failed, panicked, timed out, aborted or interrupted
	Passed    Outcome = "passed"    // ran and passed
	Deviation Outcome = "deviation" // skipped because the target declares a known deviation
	Skipped   Outcome = "skipped"   // skipped for another reason (a missing capability, a filter)
	Pending   Outcome = "pending"   // marked pending
)

// DeviationPrefix starts the skip message of a spec skipped for a known
// deviation (harness.CheckDeviations writes it).
const DeviationPrefix = target.DeviationPrefix

// Row is one spec's outcome for one statement it is labelled with.
type Row struct {
	Suite     string
	Target    string
	Statement string
	Outcome   Outcome
	Spec      string // the spec's full text
	Reason    string // skip or failure message, first line
}

// Rows extracts one Row per It spec and statement label from a Ginkgo
// report. Specs without statement labels produce no rows.
func Rows(suite, target string, r types.Report) []Row {
	var rows []Row
	for _, s := range r.SpecReports {
		if s.LeafNodeType != types.NodeTypeIt {
			continue
		}
		outcome, reason := classify(s)
		for _, l := range s.Labels() {
			if !fixtures.IsStatementID(l) {
				continue
			}
			rows = append(rows, Row{
				Suite: suite, Target: target, Statement: l,
				Outcome: outcome, Spec: s.FullText(), Reason: reason,
			})
		}
	}
	return rows
}

func classify(s types.SpecReport) (Outcome, string) {
	msg, _, _ := strings.Cut(strings.TrimSpace(s.Failure.Message), "\n")
	switch {
	case s.State.Is(types.SpecStateFailureStates):
		return Failed, msg
	case s.State == types.SpecStatePassed:
		return Passed, ""
	case s.State == types.SpecStatePending:
		return Pending, ""
	case strings.HasPrefix(msg, DeviationPrefix):
		return Deviation, msg
	default:
		if msg == "" {
			msg = "not run (filtered out, or the suite failed before it)"
		}
		return Skipped, msg
	}
}

// Tally counts a statement's spec outcomes.
type Tally struct {
	Specs, Passed, Failed, Deviated, Skipped int
}

// Outcome is the statement's outcome overall: failed when any spec failed,
// else passed when any passed, else deviation, else skipped.
func (t Tally) Outcome() Outcome {
	switch {
	case t.Failed > 0:
		return Failed
	case t.Passed > 0:
		return Passed
	case t.Deviated > 0:
		return Deviation
	}
	return Skipped
}

// Coverage is the statement coverage of a set of rows for one target.
type Coverage struct {
	Target string
	Suites []string
	// Checked are the statements some spec is labelled with, by ID.
	Checked map[string]*Tally
	// Uncovered are the checkable statements binding the server (alone or
	// with the client) that no spec is labelled with, in catalogue order.
	Uncovered []fixtures.Statement
	// Unknown are statement-like labels the catalogue does not hold
	// (typos, or the standard's misprinted forms).
	Unknown []string
	// Rows are the rows the coverage was computed from.
	Rows []Row
}

// Compute tallies rows (all for one target) against the catalogue.
func Compute(target string, rows []Row, catalogue []fixtures.Statement) Coverage {
	c := Coverage{Target: target, Checked: map[string]*Tally{}, Rows: rows}
	known := map[string]bool{}
	for _, s := range catalogue {
		known[s.ID] = true
	}
	suites := map[string]bool{}
	unknown := map[string]bool{}
	for _, r := range rows {
		suites[r.Suite] = true
		if !known[r.Statement] {
			unknown[r.Statement] = true
			continue
		}
		t := c.Checked[r.Statement]
		if t == nil {
			t = &Tally{}
			c.Checked[r.Statement] = t
		}
		t.Specs++
		switch r.Outcome {
		case Passed:
			t.Passed++
		case Failed:
			t.Failed++
		case Deviation:
			t.Deviated++
		default:
			t.Skipped++
		}
	}
	for _, s := range catalogue {
		if ServerSide(s) && c.Checked[s.ID] == nil {
			c.Uncovered = append(c.Uncovered, s)
		}
	}
	c.Suites = sortedKeys(suites)
	c.Unknown = sortedKeys(unknown)
	return c
}

// ServerSide reports whether a statement is one the suites should cover:
// checkable against a broker, binding the server or either side, or the
// server of MQTT over WebSocket.
func ServerSide(s fixtures.Statement) bool {
	return s.Checkable && (s.Binds == fixtures.BindsServer || s.Binds == fixtures.BindsBoth || s.Binds == fixtures.BindsWebSocket)
}

// Count returns how many checked statements have each overall outcome.
func (c Coverage) Count() map[Outcome]int {
	n := map[Outcome]int{}
	for _, t := range c.Checked {
		n[t.Outcome()]++
	}
	return n
}

// IDs returns the checked statement IDs with overall outcome o, in the
// standard's order.
func (c Coverage) IDs(o Outcome) []string {
	var ids []string
	for id, t := range c.Checked {
		if t.Outcome() == o {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return lessID(ids[i], ids[j]) })
	return ids
}

// lessID orders statement IDs as the standard does: by section numbers,
// then statement number, numerically.
func lessID(a, b string) bool {
	na, nb := idNumbers(a), idNumbers(b)
	for i := 0; i < len(na) && i < len(nb); i++ {
		if na[i] != nb[i] {
			return na[i] < nb[i]
		}
	}
	if len(na) != len(nb) {
		return len(na) < len(nb)
	}
	return a < b
}

func idNumbers(id string) []int {
	var out []int
	n, in := 0, false
	for _, r := range id {
		if '0' <= r && r <= '9' {
			n, in = n*10+int(r-'0'), true
			continue
		}
		if in {
			out = append(out, n)
		}
		n, in = 0, false
	}
	if in {
		out = append(out, n)
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	s := make([]string, 0, len(m))
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}
