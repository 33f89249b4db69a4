// Package connect_test checks how a target opens, keeps and ends MQTT
// connections: CONNECT and CONNACK (MQTT 3.1.1 sections 3.1 and 3.2),
// client identifiers, clean session and session present, takeover,
// authentication outcomes, PINGREQ and keep alive (3.12, 3.13, 3.1.2.10),
// DISCONNECT (3.14), and the general rules a connection lives under: UTF-8
// strings (1.5.3), fixed-header flags (2.2.2) and closing the connection
// on a protocol violation (4.8).
//
// Negative cases use the raw client, so that the exact bytes sent and the
// exact outcome (a CONNACK return code, or the connection closed by the
// server with nothing sent first) are what the spec asserts. Will messages
// appear only where this area's statements need them; the lwt suite checks
// them in depth.
package connect_test

import (
	"testing"

	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = harness.Setup("connect")

func TestConnect(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "connect")
}
