package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatomqtt/gatomqtt/fixtures"
	"github.com/onsi/ginkgo/v2/types"
)

// spec builds a SpecReport for an It with the given labels, state and
// failure message.
func spec(text string, labels []string, state types.SpecState, msg string) types.SpecReport {
	return types.SpecReport{
		LeafNodeType:   types.NodeTypeIt,
		LeafNodeText:   text,
		LeafNodeLabels: labels,
		State:          state,
		Failure:        types.Failure{Message: msg},
	}
}

var catalogue = []fixtures.Statement{
	{ID: "MQTT-1.5.3-1", Binds: fixtures.BindsBoth, Checkable: true, Paraphrase: "utf-8"},
	{ID: "MQTT-3.1.0-1", Binds: fixtures.BindsClient, Checkable: false, Paraphrase: "client first packet"},
	{ID: "MQTT-3.1.0-2", Binds: fixtures.BindsServer, Checkable: true, Paraphrase: "second connect"},
	{ID: "MQTT-3.1.2-24", Binds: fixtures.BindsServer, Checkable: true, Paraphrase: "keep alive"},
	{ID: "MQTT-3.3.1-9", Binds: fixtures.BindsServer, Checkable: true, Paraphrase: "retain flag"},
	{ID: "MQTT-3.10.4-6", Binds: fixtures.BindsServer, Checkable: true, Paraphrase: "unsuback"},
	{ID: "MQTT-4.7.1-1", Binds: fixtures.BindsServer, Checkable: false, Paraphrase: "not observable"},
}

func syntheticReport() types.Report {
	return types.Report{SpecReports: types.SpecReports{
		{LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStatePassed},
		spec("closes on a second CONNECT", []string{"MQTT-3.1.0-2", "slow"}, types.SpecStatePassed, ""),
		spec("closes again", []string{"MQTT-3.1.0-2"}, types.SpecStateFailed, "expected close\nmore detail"),
		spec("keep alive", []string{"MQTT-3.1.2-24"}, types.SpecStateSkipped, "target inproc:pico: needs 3 sessions, target allows 2"),
		spec("retain flag", []string{"MQTT-3.3.1-9"}, types.SpecStateSkipped, "known deviation of mosquitto (tcp://x:1): MQTT-3.3.1-9: why"),
		spec("utf8 timed out", []string{"MQTT-1.5.3-1"}, types.SpecStateTimedout, "timeout"),
		spec("typo", []string{"MQTT-9.9.9-9"}, types.SpecStatePassed, ""),
		spec("no statement", []string{"smoke"}, types.SpecStatePassed, ""),
		spec("filtered", []string{"MQTT-3.10.4-6"}, types.SpecStateSkipped, ""),
	}}
}

func TestRowsAndCompute(t *testing.T) {
	rows := Rows("connect", "inproc", syntheticReport())
	if len(rows) != 7 {
		t.Fatalf("Rows = %d rows, want 7 (one per It and statement label): %+v", len(rows), rows)
	}
	if rows[1].Reason != "expected close" {
		t.Errorf("failure reason = %q, want its first line", rows[1].Reason)
	}
	if rows[6].Outcome != Skipped || !strings.Contains(rows[6].Reason, "not run") {
		t.Errorf("filtered spec row = %+v", rows[6])
	}
	c := Compute("inproc", rows, catalogue)
	want := map[string]Outcome{
		"MQTT-3.1.0-2":  Failed, // one passed, one failed: failed wins
		"MQTT-3.1.2-24": Skipped,
		"MQTT-3.3.1-9":  Deviation,
		"MQTT-1.5.3-1":  Failed,
		"MQTT-3.10.4-6": Skipped,
	}
	if len(c.Checked) != len(want) {
		t.Errorf("checked %d statements, want %d", len(c.Checked), len(want))
	}
	for id, o := range want {
		if tl := c.Checked[id]; tl == nil || tl.Outcome() != o {
			t.Errorf("%s: tally %+v, want outcome %s", id, tl, o)
		}
	}
	if tl := c.Checked["MQTT-3.1.0-2"]; tl.Specs != 2 || tl.Passed != 1 || tl.Failed != 1 {
		t.Errorf("MQTT-3.1.0-2 tally = %+v", tl)
	}
	if len(c.Uncovered) != 0 {
		t.Errorf("uncovered = %v, want none (client-only and uncheckable ones do not count)", c.Uncovered)
	}
	if strings.Join(c.Unknown, ",") != "MQTT-9.9.9-9" {
		t.Errorf("unknown = %v", c.Unknown)
	}
	if got := strings.Join(c.IDs(Failed), ","); got != "MQTT-1.5.3-1,MQTT-3.1.0-2" {
		t.Errorf("IDs(Failed) = %s", got)
	}

	// Drop the deviation spec: its statement becomes uncovered.
	var fewer []Row
	for _, r := range rows {
		if r.Statement != "MQTT-3.3.1-9" {
			fewer = append(fewer, r)
		}
	}
	c = Compute("inproc", fewer, catalogue)
	if len(c.Uncovered) != 1 || c.Uncovered[0].ID != "MQTT-3.3.1-9" {
		t.Errorf("uncovered = %v, want MQTT-3.3.1-9", c.Uncovered)
	}
}

func TestLessIDIsNumeric(t *testing.T) {
	if !lessID("MQTT-3.1.2-9", "MQTT-3.1.2-10") || !lessID("MQTT-3.2.1-1", "MQTT-3.10.1-1") || lessID("MQTT-4.1.0-1", "MQTT-3.9.9-9") {
		t.Error("lessID does not order numerically")
	}
}

func TestTSVRoundTrip(t *testing.T) {
	rows := Rows("connect", "tcp://h:1", syntheticReport())
	rows[0].Spec = "with\ttab and\nnewline"
	var b bytes.Buffer
	if err := WriteTSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	got, err := ReadTSV(&b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) {
		t.Fatalf("read %d rows, wrote %d", len(got), len(rows))
	}
	if got[0].Spec != "with tab and newline" || got[3].Outcome != Deviation || got[3].Target != "tcp://h:1" {
		t.Errorf("round trip: %+v", got[:4])
	}
	for _, bad := range []string{"nope\n", tsvHeader + "\na\tb\n", tsvHeader + "\na\tb\tc\tweird\te\tf\n"} {
		if _, err := ReadTSV(strings.NewReader(bad)); err == nil {
			t.Errorf("ReadTSV(%q) accepted bad input", bad)
		}
	}
}

func TestMergeAcrossSuitesAndTable(t *testing.T) {
	a := Rows("connect", "inproc", syntheticReport())
	b := []Row{
		{Suite: "retained", Target: "inproc", Statement: "MQTT-3.3.1-9", Outcome: Passed, Spec: "x"},
		{Suite: "retained", Target: "tcp://m:1", Statement: "MQTT-3.3.1-9", Outcome: Deviation, Spec: "x", Reason: "known deviation of mosquitto"},
	}
	covs := Merge(append(a, b...), catalogue)
	if len(covs) != 2 || covs[0].Target != "inproc" || covs[1].Target != "tcp://m:1" {
		t.Fatalf("Merge targets = %+v", covs)
	}
	if o := covs[0].Checked["MQTT-3.3.1-9"].Outcome(); o != Passed {
		t.Errorf("inproc MQTT-3.3.1-9 = %s, want passed (the retained suite passed it)", o)
	}
	if strings.Join(covs[0].Suites, ",") != "connect,retained" {
		t.Errorf("suites = %v", covs[0].Suites)
	}
	if len(covs[1].Uncovered) != 4 {
		t.Errorf("tcp target uncovered = %d, want 4", len(covs[1].Uncovered))
	}
	var out bytes.Buffer
	if err := WriteTable(&out, covs, catalogue, true); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if lines[0] != "statement\tbinds\tinproc\ttcp://m:1" {
		t.Errorf("header = %q", lines[0])
	}
	found := false
	for _, l := range lines {
		if l == "MQTT-3.3.1-9\tserver\tpassed(2)\tdeviation(1)" {
			found = true
		}
		if strings.HasPrefix(l, "MQTT-3.1.0-1") || strings.HasPrefix(l, "MQTT-4.7.1-1") {
			t.Errorf("table lists a statement neither checkable nor checked: %q", l)
		}
	}
	if !found {
		t.Errorf("table lacks the merged MQTT-3.3.1-9 line:\n%s", out.String())
	}
}

func TestAfterSuiteWritesFiles(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvDir, dir)
	line, err := AfterSuite("connect", "tcp://127.0.0.1:1883?peer=mosquitto", syntheticReport())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(line, "\n") || !strings.Contains(line, "statements checked") {
		t.Errorf("summary = %q, want one line", line)
	}
	base := filepath.Join(dir, "coverage-connect-tcp___127_0_0_1_1883_peer_mosquitto")
	txt, err := os.ReadFile(base + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"failed (2)", "MQTT-3.1.0-2", "closes again", "known deviation of mosquitto", "not covered ("} {
		if !strings.Contains(string(txt), want) {
			t.Errorf("text report lacks %q:\n%s", want, txt)
		}
	}
	f, err := os.Open(base + ".tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := ReadTSV(f)
	if err != nil || len(rows) != 7 {
		t.Errorf("tsv: %d rows, %v", len(rows), err)
	}
}
