package smoke_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestBadTargetFailsAtSuiteStart runs this test binary again with a target
// that cannot work and checks that the suite fails once, in BeforeSuite,
// with a message naming the problem, instead of in every spec.
func TestBadTargetFailsAtSuiteStart(t *testing.T) {
	if os.Getenv("GATOMQTT_SMOKE_CHILD") != "" {
		t.Skip("already the child")
	}
	tests := []struct{ target, want string }{
		{"nosuch:x", `unknown target "nosuch:x"`},
		{"tcp://127.0.0.1:1", "did not start"},
		{"inproc:z80", `unknown profile "z80"`},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestSmoke$", "--target="+tt.target)
			cmd.Env = append(os.Environ(), "GATOMQTT_SMOKE_CHILD=1", "GATOMQTT_REPORT_DIR="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("suite passed with target %s:\n%s", tt.target, out)
			}
			text := string(out)
			if !strings.Contains(text, tt.want) || !strings.Contains(text, "BeforeSuite") {
				t.Errorf("output lacks %q in a BeforeSuite failure:\n%s", tt.want, text)
			}
			if n := strings.Count(text, tt.want); n > 2 {
				t.Errorf("the reason appears %d times; want it reported once, not per spec:\n%s", n, text)
			}
		})
	}
}
