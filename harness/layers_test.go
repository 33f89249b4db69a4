package harness

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/gatomqtt/gatomqtt/"

// TestLayers holds the harness's folders to one direction of use: target
// at the bottom, clients above it, target kinds above both, this Ginkgo
// layer on top, and the tools beside it using none of it.
func TestLayers(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	tests := []struct {
		pkg       string
		forbidden []string // packages pkg must not depend on, directly or not
	}{
		{"harness/target", []string{"harness", "harness/client", "harness/target/inproc", "harness/target/tcp", "github.com/onsi/ginkgo/v2"}},
		{"harness/client", []string{"harness", "harness/target/inproc", "harness/target/tcp", "github.com/onsi/ginkgo/v2"}},
		{"harness/target/inproc", []string{"harness", "harness/target/tcp", "harness/client", "github.com/onsi/ginkgo/v2"}},
		{"harness/target/tcp", []string{"harness", "harness/target/inproc", "github.com/onsi/ginkgo/v2"}},
		{"boards/boardtarget", []string{"harness", "harness/target/inproc", "harness/target/tcp", "github.com/onsi/ginkgo/v2"}},
		{"fixtures/peers", []string{"harness", "harness/client", "harness/target/inproc", "harness/target/tcp"}},
		{"peers", []string{"harness", "harness/target", "harness/client"}},
		{"load", []string{"harness", "harness/target", "harness/client", "peers"}},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", module+tt.pkg).Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", tt.pkg, err)
			}
			deps := strings.Fields(string(out))
			if !slices.Contains(deps, module+tt.pkg) {
				t.Fatalf("go list listed nothing for %s: %q", tt.pkg, deps)
			}
			for _, f := range tt.forbidden {
				if !strings.Contains(f, ".") {
					f = module + f
				}
				if slices.Contains(deps, f) {
					t.Errorf("%s depends on %s", tt.pkg, f)
				}
			}
		})
	}
}
