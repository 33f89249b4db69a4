// Package lwt_test checks will messages (MQTT 3.1.1 sections 3.1.2.5 to
// 3.1.2.7, 3.1.4 and 3.14.4): the server publishes a connection's will when
// the connection ends without DISCONNECT — the client vanishing, its keep
// alive running out, a protocol error, another connection taking over its
// client identifier — at the will's QoS and retain flag, once, and never
// after a DISCONNECT.
package lwt_test

import (
	"testing"

	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = harness.Setup("lwt")

func TestLWT(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "lwt")
}
