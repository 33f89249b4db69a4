// Package qos1_test checks a target's handling of PUBLISH and its
// acknowledgements, SUBSCRIBE and UNSUBSCRIBE, QoS 0, 1 and 2 flows, topic
// names, filters and wildcards, message ordering and redelivery after a
// reconnect (MQTT 3.1.1 sections 2.3.1, 3.3 to 3.11 and 4.3 to 4.7).
// Retained messages and wills have suites of their own.
//
// Most specs drive the target through the raw client, so that packet
// identifiers, DUP flags and fixed-header bits can be read and
// acknowledgements withheld on purpose.
package qos1_test

import (
	"testing"

	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = harness.Setup("qos1")

func TestQoS1(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "qos1")
}
