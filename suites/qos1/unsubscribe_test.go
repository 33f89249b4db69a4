package qos1_test

import (
	"context"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// unsubscribe sends one UNSUBSCRIBE for filters and expects its UNSUBACK.
func unsubscribe(c *client.RawClient, filters ...string) {
	GinkgoHelper()
	topics := make([][]byte, len(filters))
	for i, f := range filters {
		topics[i] = []byte(f)
	}
	u := packet.NewUnsubscribe(harness.PacketID(), topics...)
	Expect(c.Send(u)).To(Succeed())
	Expect(c.ExpectUnsuback(u.PacketID, harness.Timeout)).To(Succeed())
}

var _ = Describe("UNSUBSCRIBE", func() {
	BeforeEach(func() {
		harness.Require(target.Needs{Sessions: 3, QoS: 1, Subscriptions: 4})
	})

	It("is answered by an UNSUBACK with its packet identifier, and no message is sent through the filter afterwards",
		Label("MQTT-3.10.4-2", "MQTT-3.10.4-4", "MQTT-2.3.1-7", "MQTT-2.2.2-1"), within,
		func(ctx SpecContext) {
			topic := client.Topic("unsub")
			sub := subscriber(1, topic)
			pub := session()
			publish(pub, topic, "before", 1)
			Expect(payloads(receive(sub, 1))).To(Equal([]string{"before"}))

			Expect(sub.Send(packet.NewUnsubscribe(0x0102, []byte(topic)))).To(Succeed())
			expectRaw(sub, ackBytes(packet.UNSUBACK, 0x0102))
			publish(pub, topic, "after", 1)
			expectNothing(sub)
		})

	It("is answered by an UNSUBACK even for a filter never subscribed",
		Label("MQTT-3.10.4-5", "MQTT-3.10.4-4", "MQTT-2.3.1-7"), within,
		func(ctx SpecContext) {
			c := session()
			for _, id := range []uint16{1, 0xFFFF} {
				Expect(c.Send(packet.NewUnsubscribe(id, []byte(client.Topic("never"))))).To(Succeed())
				expectRaw(c, ackBytes(packet.UNSUBACK, id))
			}
		})

	It("deletes only the subscription whose filter is character for character the same",
		Label("MQTT-3.10.4-1"), within,
		func(ctx SpecContext) {
			base := client.Topic("exact")
			sub := session()
			subscribe(sub, 1, base+"/a/b")
			subscribe(sub, 1, base+"/a/+")
			pub := session()

			// Neither a/# nor a/B is any of the filters held, though a/#
			// covers both: nothing may be deleted.
			unsubscribe(sub, base+"/a/#", base+"/a/B")
			publish(pub, base+"/a/c", "c1", 1)
			Expect(payloads(receive(sub, 1))).To(Equal([]string{"c1"}))

			// Deleting a/+ leaves a/b alone.
			unsubscribe(sub, base+"/a/+")
			publish(pub, base+"/a/c", "c2", 1)
			publish(pub, base+"/a/b", "b", 1)
			Expect(payloads(receive(sub, 1))).To(Equal([]string{"b"}))
		})

	It("handles several filters in one UNSUBSCRIBE as separate ones, with one UNSUBACK",
		Label("MQTT-3.10.4-6"), within,
		func(ctx SpecContext) {
			base := client.Topic("several")
			x, y, z := base+"/x", base+"/y", base+"/z"
			sub := subscriber(1, x, y, z)
			unsubscribe(sub, x, y)
			pub := session()
			for _, t := range []string{x, y, z} {
				publish(pub, t, t, 1)
			}
			Expect(payloads(receive(sub, 1))).To(Equal([]string{z}))
		})

	DescribeTable("a malformed UNSUBSCRIBE closes the connection without an UNSUBACK",
		func(ctx context.Context, frame func(topic string) []byte) {
			topic := client.Topic("badunsub")
			c := subscriber(0, topic)
			Expect(c.SendBytes(frame(topic))).To(Succeed())
			Expect(c.ExpectClosed(closeBound)).To(Succeed())
		},
		Entry("fixed-header flags 0000", Label("MQTT-3.10.1-1", "MQTT-2.2.2-2"), within, func(t string) []byte {
			return unsubscribeBytes(0x00, 1, t)
		}),
		Entry("fixed-header flags 0011", Label("MQTT-3.10.1-1", "MQTT-2.2.2-2"), within, func(t string) []byte {
			return unsubscribeBytes(0x03, 1, t)
		}),
		Entry("no topic filter", Label("MQTT-3.10.3-2"), within, func(string) []byte {
			return unsubscribeBytes(0x02, 1)
		}),
		Entry("packet identifier 0", Label("MQTT-2.3.1-1"), within, func(t string) []byte {
			return unsubscribeBytes(0x02, 0, t)
		}),
	)
})
