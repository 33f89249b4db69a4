package connect_test

import (
	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// persistentSubscriber connects id with clean session 0, subscribes it to
// topic at qos and disconnects it, leaving a stored session behind.
func persistentSubscriber(id, topic string, qos packet.QoS) {
	GinkgoHelper()
	c, ack := harness.Accepted(client.ConnectOptions{ClientID: id, KeepAlive: 60})
	Expect(ack.SessionPresent).To(BeFalse(), "a new client identifier has no stored session")
	sa, err := c.Subscribe(1, qos, harness.Timeout, topic)
	Expect(err).NotTo(HaveOccurred())
	Expect(sa.ReturnCodes).To(Equal([]byte{byte(qos)}))
	Expect(c.Disconnect()).To(Succeed())
}

var _ = Describe("Clean session and session present", func() {
	BeforeEach(func() { harness.Require(target.Needs{PersistentSessions: true, QoS: 1, Queued: 2}) })

	It("reports no session present for a new persistent session",
		Label("MQTT-3.2.2-3", "MQTT-3.1.2-4"), SpecTimeout(specTimeout), func(ctx SpecContext) {
			_, ack := harness.Accepted(client.ConnectOptions{ClientID: client.ClientID("fresh"), KeepAlive: 60})
			Expect(ack.SessionPresent).To(BeFalse())
		})

	It("resumes a persistent session with its subscriptions and reports it present",
		Label("MQTT-3.2.2-2", "MQTT-3.1.2-4", "MQTT-3.1.4-3"), SpecTimeout(specTimeout), func(ctx SpecContext) {
			id, topic := client.ClientID("resume"), client.Topic("resume")
			persistentSubscriber(id, topic, 1)

			c, ack := harness.Accepted(client.ConnectOptions{ClientID: id, KeepAlive: 60})
			Expect(ack.SessionPresent).To(BeTrue())
			// The subscription came back with the session: no new SUBSCRIBE.
			publishQoS1(topic, "still subscribed")
			p := expectPublish(c, topic, "still subscribed")
			Expect(p.QoS).To(Equal(packet.QoS(1)))
			Expect(c.Send(&packet.Puback{PacketID: p.PacketID})).To(Succeed())
		})

	It("queues QoS 1 and QoS 2 messages for a persistent session while its client is away",
		Label("MQTT-3.1.2-5", "MQTT-3.1.2-4"), SpecTimeout(specTimeout), func(ctx SpecContext) {
			harness.Require(target.Needs{QoS: 2})
			id, topic := client.ClientID("away"), client.Topic("away")
			persistentSubscriber(id, topic, 2)

			pub := harness.RawSession(client.ConnectOptions{CleanSession: true, KeepAlive: 60})
			Expect(pub.Publish(topic, []byte("one"), 1, false, 1)).To(Succeed())
			Expect(pub.ExpectPuback(1, harness.Timeout)).To(Succeed())
			Expect(pub.Publish(topic, []byte("two"), 2, false, 2)).To(Succeed())
			Expect(pub.ExpectPubrec(2, harness.Timeout)).To(Succeed())
			Expect(pub.Send(&packet.Pubrel{PacketID: 2})).To(Succeed())
			Expect(pub.ExpectPubcomp(2, harness.Timeout)).To(Succeed())

			c, ack := harness.Accepted(client.ConnectOptions{ClientID: id, KeepAlive: 60})
			Expect(ack.SessionPresent).To(BeTrue())
			got, err := c.CollectPublishes(2, harness.Timeout)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(got[0].Payload)).To(Equal("one"))
			Expect(got[0].QoS).To(Equal(packet.QoS(1)))
			Expect(string(got[1].Payload)).To(Equal("two"))
			Expect(got[1].QoS).To(Equal(packet.QoS(2)))
		})

	It("discards a stored session on clean session 1, keeps nothing of it, and stores nothing afterwards",
		Label("MQTT-3.1.2-6", "MQTT-3.2.2-1", "MQTT-3.1.4-3"), SpecTimeout(specTimeout), func(ctx SpecContext) {
			id, topic := client.ClientID("clean"), client.Topic("clean")
			persistentSubscriber(id, topic, 1)
			publishQoS1(topic, "queued before the clean start")

			c, ack := harness.Accepted(client.ConnectOptions{ClientID: id, CleanSession: true, KeepAlive: 60})
			Expect(ack.SessionPresent).To(BeFalse(), "session present with clean session 1")
			// A message kept from the old session would come before the
			// SUBACK (Subscribe fails on it) or before the marker; one for
			// the old subscription before the marker.
			marker := topic + "/marker"
			_, err := c.Subscribe(2, 0, harness.Timeout, marker)
			Expect(err).NotTo(HaveOccurred(), "a message queued for the discarded session")
			publishQoS1(topic, "after the clean start")
			expectNothingBefore(c, marker, "a message for the discarded subscription or session")
			// The clean session's own subscription must not outlive the
			// connection either.
			_, err = c.Subscribe(3, 1, harness.Timeout, topic)
			Expect(err).NotTo(HaveOccurred())
			Expect(c.Disconnect()).To(Succeed())

			_, ack = harness.Accepted(client.ConnectOptions{ClientID: id, KeepAlive: 60})
			Expect(ack.SessionPresent).To(BeFalse(), "the clean session's state was kept after it ended")
		})

	It("ties the stored session to its client identifier",
		Label("MQTT-3.1.3-2", "MQTT-3.2.2-3"), SpecTimeout(specTimeout), func(ctx SpecContext) {
			a, b, topic := client.ClientID("a"), client.ClientID("b"), client.Topic("tied")
			persistentSubscriber(a, topic, 1)

			cb, ack := harness.Accepted(client.ConnectOptions{ClientID: b, KeepAlive: 60})
			Expect(ack.SessionPresent).To(BeFalse(), "client %s was given the session of %s", b, a)
			publishQoS1(topic, "for a")
			Expect(cb.ExpectNothing(quiet)).To(Succeed(), "client %s got a message of %s's subscription", b, a)

			ca, ack := harness.Accepted(client.ConnectOptions{ClientID: a, KeepAlive: 60})
			Expect(ack.SessionPresent).To(BeTrue())
			expectPublish(ca, topic, "for a")
		})
})
