// Package memory_test asserts each target's memory ceilings on what the
// target itself measures: the broker's fixed state, the heap at rest, the
// heap's growth and the allocations over a scenario of thousands of routed
// messages after warm-up. inproc measures with the runtime of this process
// (so only what the broker alone accounts for is asserted there); twins
// and boards report through the firmware's control channel, a board with
// the TinyGo runtime's own figures.
//
// Every figure goes into the report (harness.Figure); gatomqtt-coverage
// -memory prints them side by side per target.
package memory_test

import (
	"testing"

	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = harness.Setup("memory")

func TestMemory(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "memory")
}
