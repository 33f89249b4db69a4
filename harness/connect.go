package harness

import (
	"sync/atomic"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness/client"
)

// Credentials gives o the current target's known credentials when o names
// no user, as the harness's own clients do, so that specs about other
// fields are not refused for want of a user name.
func Credentials(o client.ConnectOptions) client.ConnectOptions {
	return o.WithCredentials(Current().Capabilities().Credentials)
}

// Connect dials the current target (as Raw), sends the CONNECT o with
// Credentials and returns the client with the CONNACK, whatever its
// return code. A connection that fails or closes without a CONNACK fails
// the spec.
func Connect(o client.ConnectOptions) (*client.RawClient, *packet.Connack) {
	ginkgo.GinkgoHelper()
	c := Raw()
	return c, ConnectOn(c, o)
}

// Accepted is Connect for a CONNECT the target must accept.
func Accepted(o client.ConnectOptions) (*client.RawClient, *packet.Connack) {
	ginkgo.GinkgoHelper()
	c := Raw()
	ack := ConnectOn(c, o)
	gomega.Expect(ack.ReturnCode).To(gomega.Equal(packet.Accepted), "CONNACK for %q: %s", o.ClientID, client.Describe(ack))
	return c, ack
}

// ConnectOn sends the CONNECT o with Credentials on the open client c (a
// raw client over TLS-PSK, say) and returns the CONNACK, whatever its
// return code.
func ConnectOn(c *client.RawClient, o client.ConnectOptions) *packet.Connack {
	ginkgo.GinkgoHelper()
	ack, err := c.Connect(Credentials(o), Timeout)
	gomega.Expect(err).NotTo(gomega.HaveOccurred(), "CONNECT %q", o.ClientID)
	return ack
}

// PersistentID returns a fresh client identifier for a clean-session-0
// client the harness does not track (paho, or one whose connection the
// spec hands on) and arranges for its session to be discarded when the
// spec ends, so stored sessions do not pile up on a target with few.
func PersistentID(hint string) string {
	id := client.ClientID(hint)
	t := Current()
	ginkgo.DeferCleanup(func() {
		if err := client.ClearSession(t, id); err != nil {
			ginkgo.Fail(err.Error())
		}
	})
	return id
}

var packetIDs atomic.Uint32

// PacketID returns a packet identifier not used before in this process
// (wrapping after 65535, never 0).
func PacketID() uint16 { return uint16(packetIDs.Add(1)%65535 + 1) }

// Granted is the SUBACK code the current target answers a request for qos
// with: what is asked, up to the highest QoS it declares.
func Granted(qos packet.QoS) byte {
	return min(byte(qos), Current().Capabilities().MaxQoS)
}
