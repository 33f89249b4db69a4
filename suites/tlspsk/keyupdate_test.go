package tlspsk_test

import (
	"fmt"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("KeyUpdate in the middle of an MQTT session over TLS-PSK", func() {
	// RFC 8446 section 4.6.3: either side may move to fresh traffic keys
	// at any time after the handshake; asked to (update_requested), the
	// receiver must send a KeyUpdate of its own before its next
	// application data. Both clients update between publishes; messages
	// keep flowing client to server (PUBLISH, PUBACK) and server to client
	// (PUBACK, the delivered PUBLISH).
	DescribeTable("keeps messages flowing both ways",
		func(ctx SpecContext, requestPeer bool) {
			harness.RequirePSK(target.PSKNeeds{})
			harness.Require(target.Needs{QoS: 1})
			topic := client.Topic("keyupdate")
			sub, subConn := session()
			ack, err := sub.Subscribe(1, 1, harness.Timeout, topic)
			Expect(err).NotTo(HaveOccurred())
			Expect(ack.ReturnCodes).To(Equal([]byte{1}))
			pub, pubConn := session()

			for round := range 3 {
				id := uint16(10 + round)
				body := []byte(fmt.Sprintf("after key update %d", round))
				before := pubConn.Wire.In().Records
				Expect(pubConn.UpdateKeys(requestPeer)).To(Succeed(), "publisher KeyUpdate %d", round)
				Expect(subConn.UpdateKeys(requestPeer)).To(Succeed(), "subscriber KeyUpdate %d", round)

				Expect(pub.Publish(topic, body, 1, false, id)).To(Succeed())
				Expect(pub.ExpectPuback(id, harness.Timeout)).To(Succeed(), "PUBACK after KeyUpdate %d", round)
				p, err := sub.ExpectPublish(harness.Timeout)
				Expect(err).NotTo(HaveOccurred(), "delivery after KeyUpdate %d", round)
				Expect(p.Payload).To(Equal(body))
				// The subscriber's PUBACK goes out under its new key.
				Expect(sub.Acknowledge(p)).To(Succeed())

				if requestPeer {
					// Nothing but the PUBACK is due to the publisher, so
					// a second record is the server's own KeyUpdate: a
					// TLS 1.3 record carries one content type, and the
					// KeyUpdate must come before the PUBACK.
					got := pubConn.Wire.In().Records - before
					Expect(got).To(BeNumerically(">=", 2),
						"records to the publisher after its KeyUpdate asking for one back: %d, no KeyUpdate from the server", got)
				}
			}
			// Both sessions still answer, so the subscriber's PUBACKs
			// under its new keys were taken.
			for _, c := range []*client.RawClient{sub, pub} {
				Expect(c.Send(&packet.Pingreq{})).To(Succeed())
				Expect(c.ExpectPingresp(harness.Timeout)).To(Succeed())
			}
		},
		Entry("asking the server to update too", Label("RFC8446-4.6.3", "MQTT-4.3.2-2"), SpecTimeout(10*time.Second), true),
		Entry("without asking the server", Label("RFC8446-4.6.3", "MQTT-4.3.2-2"), SpecTimeout(10*time.Second), false),
	)
})
