// Package retained_test checks how a server keeps and replays retained
// messages (MQTT 3.1.1 sections 3.3.1.3, 3.8.4 and 4.7.2): storing and
// replacing them, deleting them with an empty payload, replaying them to
// new, wildcard and repeated subscriptions with the retain flag set and at
// the lower of the stored and granted QoS, and keeping $ topics away from
// filters that begin with a wildcard.
//
// The harness removes the retained messages each spec made, so a target
// with a small retained store (inproc:pico) is not filled by earlier specs;
// specs that need several retained topics at once declare how many and are
// skipped on targets that hold fewer.
package retained_test

import (
	"testing"

	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = harness.Setup("retained")

func TestRetained(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "retained")
}
