package harness

import (
	"errors"
	"fmt"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

var processStart = time.Now()

// Now is the current target's time: for a target.Clock (an emulated board)
// the time that passed for it, else the host's time since this process
// started. Only differences of Now mean anything.
func Now() time.Duration {
	ginkgo.GinkgoHelper()
	if c, ok := Current().(target.Clock); ok {
		d, err := c.Elapsed()
		gomega.Expect(err).NotTo(gomega.HaveOccurred(), "reading the target's clock")
		return d
	}
	return time.Since(processStart)
}

// ExpectClosedWithin waits until the server closes c or d has passed on
// the target's clock (Now), and reports which. On a target whose time runs
// slower than the host's it waits longer in wall time, as long as the
// target needs.
func ExpectClosedWithin(c *client.RawClient, d time.Duration) error {
	ginkgo.GinkgoHelper()
	deadline := Now() + d
	const step = 100 * time.Millisecond
	for {
		left := deadline - Now()
		err := c.ExpectClosed(max(min(left, step), time.Millisecond))
		if err == nil || !errors.Is(err, client.ErrStillOpen) {
			return err
		}
		if left <= 0 {
			return fmt.Errorf("expected the server to close the connection within %s of its time, still open", d)
		}
	}
}
