package harness

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/report"
	"github.com/gatomqtt/gatomqtt/harness/target"
	"github.com/onsi/ginkgo/v2"
)

// EnvTarget is the environment variable naming the target when --target is
// not given.
const EnvTarget = "GATOMQTT_TARGET"

// StartTimeout bounds how long a target may take to start.
var StartTimeout = 60 * time.Second

var (
	flagOnce   sync.Once
	targetFlag *string

	mu          sync.Mutex
	current     target.Target
	startedName string // Name of the last target started, for reports
)

// RegisterFlags adds --target to the command line flags. Call it at package
// level (var _ = ...) or from init, before the test binary parses flags;
// Setup calls it for you.
func RegisterFlags() {
	flagOnce.Do(func() {
		if f := flag.Lookup("target"); f != nil {
			s := f.Value.String()
			targetFlag = &s
			return
		}
		targetFlag = flag.String("target", "",
			"MQTT target: "+strings.Join(target.Schemes(), ", ")+", e.g. inproc:pico or tcp://host:port[?options] (default $"+EnvTarget+" or "+target.DefaultTarget+")")
	})
}

// TargetName is the target string in force: --target, else $GATOMQTT_TARGET,
// else target.DefaultTarget.
func TargetName() string {
	if targetFlag != nil {
		if f := flag.Lookup("target"); f != nil && f.Value.String() != "" {
			return f.Value.String()
		}
	}
	if s := os.Getenv(EnvTarget); s != "" {
		return s
	}
	return target.DefaultTarget
}

// Setup wires a Ginkgo suite to the harness and returns true, so it can be
// called at package level in the suite's suite_test.go:
//
//	var _ = harness.Setup("connect")
//
// It registers --target, a BeforeSuite that parses and starts the target
// (failing the suite, not each spec, when the target is unknown or
// unreachable), an AfterSuite that stops it, a BeforeEach that applies
// CheckDeviations to every spec, and a ReportAfterSuite that writes the
// statement coverage report for suite (see package report) and prints its
// one-line summary. Ginkgo allows one BeforeSuite per suite: a suite that
// needs its own calls RegisterFlags, StartTarget, StopTarget and
// report.AfterSuite itself instead of Setup.
func Setup(suite string) bool {
	RegisterFlags()
	ginkgo.BeforeSuite(func(ctx ginkgo.SpecContext) {
		if err := StartTarget(ctx); err != nil {
			ginkgo.Fail(err.Error())
		}
	}, ginkgo.NodeTimeout(StartTimeout+5*time.Second))
	ginkgo.AfterSuite(func() {
		if err := StopTarget(); err != nil {
			ginkgo.Fail(err.Error())
		}
	})
	ginkgo.BeforeEach(CheckDeviations)
	ginkgo.ReportAfterSuite("statement coverage", func(r ginkgo.Report) {
		line, err := report.AfterSuite(suite, ReportName(), r)
		if err != nil {
			ginkgo.Fail(err.Error())
		}
		// The summary stays in the spec output (shown with -v or on
		// failure); ci/suites.sh prints the merged coverage of all suites.
		fmt.Fprintln(ginkgo.GinkgoWriter, line)
	})
	return true
}

// StartTarget parses TargetName and starts that target, making it Current.
func StartTarget(ctx context.Context) error {
	name := TargetName()
	t, err := target.Parse(name)
	if err != nil {
		return fmt.Errorf("%w (set with --target or $%s)", err, EnvTarget)
	}
	if x, ok := t.(target.Exclusive); ok && x.Exclusive() {
		if sc, _ := ginkgo.GinkgoConfiguration(); sc.ParallelTotal > 1 {
			return fmt.Errorf("harness: target %s is one device, which one test process holds; run the suites without -p (this run has %d processes)", t.Name(), sc.ParallelTotal)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, StartTimeout)
	defer cancel()
	if err := t.Start(ctx); err != nil {
		_ = t.Stop()
		return fmt.Errorf("harness: target %s did not start: %w", t.Name(), err)
	}
	mu.Lock()
	current = t
	startedName = t.Name()
	mu.Unlock()
	client.Process = ginkgo.GinkgoParallelProcess()
	if rt := t.Capabilities().ReplyTimeout; rt > Timeout {
		Timeout = rt
	}
	return nil
}

// ReportName is the name reports give the target: the started target's
// Name (credentials elided), or the scheme alone when none started.
func ReportName() string {
	mu.Lock()
	defer mu.Unlock()
	if startedName != "" {
		return startedName
	}
	scheme, _, _ := strings.Cut(TargetName(), ":")
	return scheme
}

// StopTarget stops the current target.
func StopTarget() error {
	mu.Lock()
	t := current
	current = nil
	mu.Unlock()
	if t == nil {
		return nil
	}
	if err := t.Stop(); err != nil {
		return fmt.Errorf("harness: stopping target %s: %w", t.Name(), err)
	}
	return nil
}

// Current returns the started target. Outside a started suite it fails the
// running spec.
func Current() target.Target {
	mu.Lock()
	t := current
	mu.Unlock()
	if t == nil {
		ginkgo.Fail("harness: no target started; call harness.Setup in the suite's suite_test.go", 1)
	}
	return t
}

// Require skips the running spec, with the reason in the report, when the
// current target lacks anything n needs.
func Require(n target.Needs) {
	t := Current()
	if msg := target.SkipReason(t, n); msg != "" {
		ginkgo.Skip(msg, 1)
	}
}

// CheckDeviations skips the running spec when the current target declares
// a known deviation from a statement the spec is labelled with, saying
// "known deviation of <peer>: <reason>" so that the skip is reported as a
// deviation, not hidden. Setup runs it before every spec, so labelling a
// spec with its statement IDs is all a spec does. A deviation declared for
// a statement applies to every spec labelled with it; one declared scoped,
// as "MQTT-3.1.2-8@second-connect", only to specs that also carry the label
// second-connect (see package fixtures/deviations).
func CheckDeviations() {
	t := Current()
	if msg := target.DeviationReason(t, ginkgo.CurrentSpecReport().Labels()); msg != "" {
		ginkgo.Skip(msg, 1)
	}
}
