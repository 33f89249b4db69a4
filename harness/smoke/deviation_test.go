package smoke_test

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatomqtt/gatomqtt/harness/target"

	"github.com/gatomqtt/gatomqtt/harness/report"
)

// devTarget is the inproc target declaring a deviation it does not have,
// so the suite can watch the harness skip and report a deviated spec.
type devTarget struct{ target.Target }

const devStatement = "MQTT-3.1.0-2"

func (t devTarget) Name() string { return "smokedev" }

func (t devTarget) Capabilities() target.Capabilities {
	c := t.Target.Capabilities()
	c.Peer = "smokedev"
	c.Deviations = target.Deviations{devStatement: "declared by the smoke suite to test deviation skips"}
	return c
}

func init() {
	target.Register("smokedev", func(*url.URL) (target.Target, error) {
		t, err := target.Parse("inproc")
		return devTarget{t}, err
	})
}

// TestDeviationIsSkippedAndReported runs the suite on a target declaring a
// deviation and checks that the deviated spec is skipped with the reason
// and counted as a deviation in the coverage report.
func TestDeviationIsSkippedAndReported(t *testing.T) {
	if os.Getenv("GATOMQTT_SMOKE_CHILD") != "" {
		t.Skip("already the child")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSmoke$", "--target=smokedev")
	cmd.Env = append(os.Environ(), "GATOMQTT_SMOKE_CHILD=1", report.EnvDir+"="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("suite on smokedev failed: %v\n%s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, report.FileBase(suiteName, "smokedev")+".tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := report.ReadTSV(f)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if r.Statement == devStatement {
			found = true
			if r.Outcome != report.Deviation || !strings.Contains(r.Reason, "known deviation of smokedev") ||
				!strings.Contains(r.Reason, "declared by the smoke suite") {
				t.Errorf("row for %s = %+v, want a deviation with the reason", devStatement, r)
			}
		}
	}
	if !found {
		t.Errorf("no report row for %s:\n%s", devStatement, out)
	}
}
