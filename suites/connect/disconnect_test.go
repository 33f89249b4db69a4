package connect_test

import (
	"github.com/gatomqtt/gatomqtt/harness"
	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("DISCONNECT", func() {
	BeforeEach(func() { harness.Require(target.Needs{Wills: true}) })

	It("makes the server discard the will unpublished",
		Label("MQTT-3.14.4-3"), SpecTimeout(specTimeout), func(ctx SpecContext) {
			topic := client.Topic("will")
			sub := subscriber(topic, 0)
			c, _ := harness.Accepted(client.ConnectOptions{ClientID: client.ClientID("bye"), CleanSession: true, KeepAlive: 60,
				Will: &client.Will{Topic: topic, Message: []byte("should not appear")}})
			// Disconnect sends DISCONNECT and closes the socket, as a client
			// must: a server that kept the will would publish it now.
			Expect(c.Disconnect()).To(Succeed())
			Expect(sub.ExpectNothing(quiet)).To(Succeed(), "the will after a DISCONNECT")
		})

	It("with a reserved flag bit set is a protocol violation: the server closes and publishes the will",
		Label("MQTT-3.14.1-1", "MQTT-2.2.2-2", "MQTT-3.1.2-8"), SpecTimeout(specTimeout), func(ctx SpecContext) {
			topic := client.Topic("will")
			sub := subscriber(topic, 0)
			c, _ := harness.Accepted(client.ConnectOptions{ClientID: client.ClientID("badbye"), CleanSession: true, KeepAlive: 60,
				Will: &client.Will{Topic: topic, Message: []byte("violation")}})
			Expect(c.SendBytes([]byte{0xe1, 0x00})).To(Succeed())
			Expect(c.ExpectClosed(closeWithin)).To(Succeed())
			// Closed for a protocol error, not ended by a DISCONNECT: the
			// will must go out (section 3.1.2.5).
			expectPublish(sub, topic, "violation")
		})
})
