package qos1_test

import (
	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// resume connects again with clean session 0 as id and expects the
// server to have kept the session.
func resume(id string) *client.RawClient {
	GinkgoHelper()
	c, ack := harness.Accepted(client.ConnectOptions{ClientID: id})
	Expect(ack.SessionPresent).To(BeTrue(), "CONNACK session present for %q", id)
	return c
}

// expectPublishes reads n PUBLISH packets without acknowledging them.
func expectPublishes(c *client.RawClient, n int) []*packet.Publish {
	GinkgoHelper()
	ps := make([]*packet.Publish, 0, n)
	for len(ps) < n {
		p, err := c.ExpectPublish(harness.Timeout)
		Expect(err).NotTo(HaveOccurred(), "after %s", harness.DescribeAll(ps))
		ps = append(ps, p)
	}
	return ps
}

var _ = Describe("delivery retry and persistent sessions", func() {
	BeforeEach(func() {
		harness.Require(target.Needs{Sessions: 4, QoS: 1, PersistentSessions: true})
	})

	It("re-sends an unacknowledged QoS 1 PUBLISH after a clean-session-0 reconnect, with DUP 1 and its identifier, and not again once acknowledged",
		Label("MQTT-4.4.0-1", "MQTT-3.3.1-1", "MQTT-4.3.2-1", "MQTT-2.3.1-4"), within,
		func(ctx SpecContext) {
			id := harness.PersistentID("p")
			topic := client.Topic("retry")
			sub, _ := harness.Accepted(client.ConnectOptions{ClientID: id})
			subscribe(sub, 1, topic)
			publish(session(), topic, "r", 1)
			first, err := sub.ExpectPublish(harness.Timeout)
			Expect(err).NotTo(HaveOccurred())
			Expect(first.Dup).To(BeFalse())
			// Drop the connection without PUBACK.
			Expect(sub.Close()).To(Succeed())

			sub = resume(id)
			again, err := sub.ExpectPublish(harness.Timeout)
			Expect(err).NotTo(HaveOccurred())
			Expect(again.Dup).To(BeTrue(), "re-sent %s", client.Describe(again))
			Expect(again.PacketID).To(Equal(first.PacketID), "re-sent %s after %s", client.Describe(again), client.Describe(first))
			Expect(again.QoS).To(Equal(packet.QoS(1)))
			Expect(string(again.Topic)).To(Equal(topic))
			Expect(string(again.Payload)).To(Equal("r"))
			Expect(sub.Send(&packet.Puback{PacketID: again.PacketID})).To(Succeed())
			expectNothing(sub)
			// The fence's PUBACK was the last packet: a PINGREQ round trip
			// proves the server has read it before the client leaves, so
			// that this spec does not depend on what the next one checks.
			Expect(sub.Send(&packet.Pingreq{})).To(Succeed())
			Expect(sub.ExpectPingresp(harness.Timeout)).To(Succeed())
			Expect(sub.Disconnect()).To(Succeed())

			sub = resume(id)
			expectNothing(sub)
		})

	It("counts a PUBACK sent just before DISCONNECT when the client reconnects at once",
		Label("MQTT-4.3.2-1", "MQTT-4.4.0-1"), within,
		func(ctx SpecContext) {
			id := harness.PersistentID("p")
			topic := client.Topic("ackbye")
			sub, _ := harness.Accepted(client.ConnectOptions{ClientID: id})
			subscribe(sub, 1, topic)
			publish(session(), topic, "a", 1)
			p, err := sub.ExpectPublish(harness.Timeout)
			Expect(err).NotTo(HaveOccurred())
			// PUBACK, DISCONNECT and a new connection follow each other
			// at once: the server received the PUBACK before the client
			// left, so the message is acknowledged and must not come back.
			Expect(sub.Send(&packet.Puback{PacketID: p.PacketID})).To(Succeed())
			Expect(sub.Disconnect()).To(Succeed())

			sub = resume(id)
			expectNothing(sub)
		})

	It("re-sends several unacknowledged messages in their original order, each with its identifier",
		Label("MQTT-4.6.0-1", "MQTT-4.4.0-1", "MQTT-2.3.1-4", "MQTT-3.3.1-1"), within,
		func(ctx SpecContext) {
			const n = 3
			harness.Require(target.Needs{Inflight: n})
			id := harness.PersistentID("p")
			topic := client.Topic("order")
			sub, _ := harness.Accepted(client.ConnectOptions{ClientID: id})
			subscribe(sub, 1, topic)
			pub := session()
			for _, m := range numbered("o", n) {
				publish(pub, topic, m, 1)
			}
			first := expectPublishes(sub, n)
			Expect(payloads(first)).To(Equal(numbered("o", n)))
			Expect(sub.Close()).To(Succeed())

			sub = resume(id)
			again := expectPublishes(sub, n)
			Expect(payloads(again)).To(Equal(numbered("o", n)), "re-sent %s", harness.DescribeAll(again))
			for i, p := range again {
				Expect(p.Dup).To(BeTrue(), "re-sent %s", client.Describe(p))
				Expect(p.PacketID).To(Equal(first[i].PacketID), "re-sent %s after %s", client.Describe(p), client.Describe(first[i]))
				Expect(sub.Send(&packet.Puback{PacketID: p.PacketID})).To(Succeed())
			}
			expectNothing(sub)
		})

	It("keeps QoS 1 messages published while the client is away and delivers them on reconnect, in order",
		Label("MQTT-4.5.0-1", "MQTT-4.6.0-6", "MQTT-3.1.2-5"), within,
		func(ctx SpecContext) {
			harness.Require(target.Needs{Queued: 3})
			id := harness.PersistentID("p")
			topic := client.Topic("away")
			sub, _ := harness.Accepted(client.ConnectOptions{ClientID: id})
			subscribe(sub, 1, topic)
			Expect(sub.Disconnect()).To(Succeed())

			online := subscriber(1, topic)
			pub := session()
			publish(pub, topic, "q1-a", 1)
			publish(pub, topic, "q0-b", 0)
			publish(pub, topic, "q1-c", 1)
			// The connected subscriber gets all three at once.
			Expect(payloads(receive(online, 3))).To(Equal([]string{"q1-a", "q0-b", "q1-c"}))

			sub = resume(id)
			b := harness.NewInbox(sub)
			b.Until(2)
			got := b.Settle()
			// QoS 0 messages for an offline session may be kept or
			// dropped (section 3.1.2.4 lets the server choose); QoS 1
			// ones must all come, in the order published.
			Expect(payloads(got)).To(Or(
				Equal([]string{"q1-a", "q1-c"}),
				Equal([]string{"q1-a", "q0-b", "q1-c"}),
			), "delivered %s", harness.DescribeAll(got))
			for _, p := range got {
				if p.Payload[1] == '1' {
					Expect(p.QoS).To(Equal(packet.QoS(1)), "%s", client.Describe(p))
				} else {
					Expect(p.QoS).To(Equal(packet.QoS(0)), "%s", client.Describe(p))
				}
			}
		})
})
