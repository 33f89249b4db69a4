package harness

import "github.com/onsi/ginkgo/v2"

// FigurePrefix starts the name of every report entry Figure adds, so that
// package report can gather the figures into the memory table.
const FigurePrefix = "figure: "

// Figure adds a measured figure (bytes, allocations) to the running spec's
// report. The entries show on failure or with -v, go into the JUnit
// report, and package report gathers those of specs labelled memory into
// one table per target (gatomqtt-coverage -memory).
func Figure(name string, value any) {
	ginkgo.AddReportEntry(FigurePrefix+name, value, ginkgo.ReportEntryVisibilityFailureOrVerbose)
}
