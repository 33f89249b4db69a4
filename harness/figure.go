package harness

import (
	"github.com/onsi/ginkgo/v2"

	"github.com/gatomqtt/gatomqtt/harness/report"
)

// Figure adds a measured figure (bytes, allocations) to the running spec's
// report. The entries show on failure or with -v, go into the JUnit
// report, and package report gathers those of specs labelled memory into
// one table per target (gatomqtt-coverage -memory).
func Figure(name string, value any) {
	ginkgo.AddReportEntry(report.FigurePrefix+name, value, ginkgo.ReportEntryVisibilityFailureOrVerbose)
}
