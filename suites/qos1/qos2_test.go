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

var _ = Describe("QoS 2", func() {
	BeforeEach(func() {
		harness.Require(target.Needs{Sessions: 3, QoS: 2, Inflight: 2})
	})

	Describe("from a client", func() {
		It("answers PUBLISH with PUBREC and PUBREL with PUBCOMP, each carrying the identifier",
			Label("MQTT-3.3.4-1", "MQTT-2.3.1-6", "MQTT-2.2.2-1", "MQTT-4.3.3-2"), within,
			func(ctx SpecContext) {
				topic := client.Topic("in2")
				sub := subscriber(2, topic)
				pub := session()
				Expect(pub.Publish(topic, []byte("two"), 2, false, 0x0A0B)).To(Succeed())
				expectRaw(pub, ackBytes(packet.PUBREC, 0x0A0B))
				Expect(pub.Send(&packet.Pubrel{PacketID: 0x0A0B})).To(Succeed())
				expectRaw(pub, ackBytes(packet.PUBCOMP, 0x0A0B))

				p := receiveOne(sub)
				Expect(p.QoS).To(Equal(packet.QoS(2)))
				Expect(string(p.Payload)).To(Equal("two"))
			})

		It("delivers a PUBLISH re-sent with DUP before PUBREL once, and takes the identifier as new after PUBCOMP",
			Label("MQTT-4.3.3-2", "MQTT-3.3.4-1"), within,
			func(ctx SpecContext) {
				topic := client.Topic("once")
				sub := subscriber(2, topic)
				pub := session()
				Expect(pub.Publish(topic, []byte("first"), 2, false, 7)).To(Succeed())
				Expect(pub.ExpectPubrec(7, harness.Timeout)).To(Succeed())
				// The same message again, as a client re-sends it.
				Expect(pub.Send(&packet.Publish{Topic: []byte(topic), Payload: []byte("first"), QoS: 2, Dup: true, PacketID: 7})).To(Succeed())
				Expect(pub.ExpectPubrec(7, harness.Timeout)).To(Succeed())
				Expect(pub.Send(&packet.Pubrel{PacketID: 7})).To(Succeed())
				Expect(pub.ExpectPubcomp(7, harness.Timeout)).To(Succeed())
				Expect(payloads(receive(sub, 1))).To(Equal([]string{"first"}))

				// After PUBCOMP, identifier 7 starts a new message.
				Expect(pub.Publish(topic, []byte("second"), 2, false, 7)).To(Succeed())
				Expect(pub.ExpectPubrec(7, harness.Timeout)).To(Succeed())
				Expect(pub.Send(&packet.Pubrel{PacketID: 7})).To(Succeed())
				Expect(pub.ExpectPubcomp(7, harness.Timeout)).To(Succeed())
				Expect(payloads(receive(sub, 1))).To(Equal([]string{"second"}))
			})

		DescribeTable("closes the connection on a PUBREL whose fixed-header flags are not 0010",
			func(ctx context.Context, first byte) {
				topic := client.Topic("rel")
				pub := session()
				Expect(pub.Publish(topic, []byte("x"), 2, false, 3)).To(Succeed())
				Expect(pub.ExpectPubrec(3, harness.Timeout)).To(Succeed())
				Expect(pub.SendBytes([]byte{first, 2, 0, 3})).To(Succeed())
				Expect(pub.ExpectClosed(closeBound)).To(Succeed())
			},
			Entry("flags 0000", Label("MQTT-3.6.1-1", "MQTT-2.2.2-2"), within, byte(0x60)),
			Entry("flags 0011", Label("MQTT-3.6.1-1", "MQTT-2.2.2-2"), within, byte(0x63)),
			Entry("flags 1010", Label("MQTT-3.6.1-1", "MQTT-2.2.2-2"), within, byte(0x6A)),
		)

		It("answers a PUBREL re-sent after a clean-session-0 reconnect with PUBCOMP, delivering the message once",
			Label("MQTT-4.4.0-1", "MQTT-4.3.3-2"), within,
			func(ctx SpecContext) {
				harness.Require(target.Needs{PersistentSessions: true})
				topic := client.Topic("relagain")
				sub := subscriber(2, topic)
				id := harness.PersistentID("p")
				pub, _ := harness.Accepted(client.ConnectOptions{ClientID: id})
				Expect(pub.Publish(topic, []byte("p"), 2, false, 21)).To(Succeed())
				Expect(pub.ExpectPubrec(21, harness.Timeout)).To(Succeed())
				Expect(pub.Close()).To(Succeed())

				pub = resume(id)
				Expect(pub.Send(&packet.Pubrel{PacketID: 21})).To(Succeed())
				Expect(pub.ExpectPubcomp(21, harness.Timeout)).To(Succeed())
				Expect(payloads(receive(sub, 1))).To(Equal([]string{"p"}))
			})

		It("frees an identifier whose PUBREL came just before DISCONNECT, so a new message with it is delivered after a reconnect",
			Label("MQTT-4.3.3-2", "MQTT-4.4.0-1"), within,
			func(ctx SpecContext) {
				harness.Require(target.Needs{PersistentSessions: true})
				topic := client.Topic("relbye")
				sub := subscriber(2, topic)
				id := harness.PersistentID("p")
				pub, _ := harness.Accepted(client.ConnectOptions{ClientID: id})
				Expect(pub.Publish(topic, []byte("first"), 2, false, 6)).To(Succeed())
				Expect(pub.ExpectPubrec(6, harness.Timeout)).To(Succeed())
				// PUBREL, DISCONNECT and a new connection follow each other
				// at once; the client owes nothing and may use identifier 6
				// for its next message, which the server must take as new.
				Expect(pub.Send(&packet.Pubrel{PacketID: 6})).To(Succeed())
				Expect(pub.Disconnect()).To(Succeed())

				pub = resume(id)
				Expect(pub.Publish(topic, []byte("second"), 2, false, 6)).To(Succeed())
				Expect(pub.ExpectPubrec(6, harness.Timeout)).To(Succeed())
				Expect(pub.Send(&packet.Pubrel{PacketID: 6})).To(Succeed())
				Expect(pub.ExpectPubcomp(6, harness.Timeout)).To(Succeed())
				// Both exchanges are complete, so both messages have been
				// routed: a fence is enough to see them, no wait needed.
				got := harness.NewInbox(sub).Settle()
				Expect(payloads(got)).To(Equal([]string{"first", "second"}), "delivered %s", harness.DescribeAll(got))
			})
	})

	Describe("to a client", func() {
		It("sends PUBLISH at QoS 2, waits for PUBREC, sends PUBREL with flags 0010, and nothing after PUBCOMP",
			Label("MQTT-4.3.3-1", "MQTT-3.6.1-1", "MQTT-2.3.1-6", "MQTT-2.2.2-1", "MQTT-3.3.4-1", "MQTT-2.3.1-1"), within,
			func(ctx SpecContext) {
				topic := client.Topic("out2")
				sub := subscriber(2, topic)
				publish(session(), topic, "o", 2)

				p, err := sub.ExpectPublish(harness.Timeout)
				Expect(err).NotTo(HaveOccurred())
				Expect(p.QoS).To(Equal(packet.QoS(2)))
				Expect(p.Dup).To(BeFalse())
				Expect(p.PacketID).NotTo(BeZero())
				// The server holds the message until PUBREC.
				expectNothing(sub)
				Expect(sub.Send(&packet.Pubrec{PacketID: p.PacketID})).To(Succeed())
				expectRaw(sub, ackBytes(packet.PUBREL, p.PacketID))
				Expect(sub.Send(&packet.Pubcomp{PacketID: p.PacketID})).To(Succeed())
				expectNothing(sub)
			})

		It("re-sends an unacknowledged QoS 2 PUBLISH after a clean-session-0 reconnect, with DUP 1 and its identifier",
			Label("MQTT-4.4.0-1", "MQTT-3.3.1-1", "MQTT-4.3.3-1", "MQTT-2.3.1-4"), within,
			func(ctx SpecContext) {
				harness.Require(target.Needs{PersistentSessions: true})
				id := harness.PersistentID("p")
				topic := client.Topic("again2")
				sub, _ := harness.Accepted(client.ConnectOptions{ClientID: id})
				subscribe(sub, 2, topic)
				publish(session(), topic, "a", 2)
				first, err := sub.ExpectPublish(harness.Timeout)
				Expect(err).NotTo(HaveOccurred())
				Expect(sub.Close()).To(Succeed())

				sub = resume(id)
				again, err := sub.ExpectPublish(harness.Timeout)
				Expect(err).NotTo(HaveOccurred())
				Expect(again.Dup).To(BeTrue(), "re-sent %s", client.Describe(again))
				Expect(again.QoS).To(Equal(packet.QoS(2)))
				Expect(again.PacketID).To(Equal(first.PacketID), "re-sent %s after %s", client.Describe(again), client.Describe(first))
				Expect(string(again.Payload)).To(Equal("a"))
				Expect(sub.Send(&packet.Pubrec{PacketID: again.PacketID})).To(Succeed())
				Expect(sub.ExpectPubrel(again.PacketID, harness.Timeout)).To(Succeed())
				Expect(sub.Send(&packet.Pubcomp{PacketID: again.PacketID})).To(Succeed())
				expectNothing(sub)
			})

		It("re-sends PUBREL, not the PUBLISH, after a clean-session-0 reconnect when PUBCOMP was withheld",
			Label("MQTT-4.3.3-1", "MQTT-4.4.0-1", "MQTT-3.6.1-1"), within,
			func(ctx SpecContext) {
				harness.Require(target.Needs{PersistentSessions: true})
				id := harness.PersistentID("p")
				topic := client.Topic("rel2")
				sub, _ := harness.Accepted(client.ConnectOptions{ClientID: id})
				subscribe(sub, 2, topic)
				publish(session(), topic, "r", 2)
				p, err := sub.ExpectPublish(harness.Timeout)
				Expect(err).NotTo(HaveOccurred())
				Expect(sub.Send(&packet.Pubrec{PacketID: p.PacketID})).To(Succeed())
				Expect(sub.ExpectPubrel(p.PacketID, harness.Timeout)).To(Succeed())
				Expect(sub.Close()).To(Succeed())

				sub = resume(id)
				expectRaw(sub, ackBytes(packet.PUBREL, p.PacketID))
				Expect(sub.Send(&packet.Pubcomp{PacketID: p.PacketID})).To(Succeed())
				expectNothing(sub)
			})

		It("completes a QoS 2 delivery begun before the subscription is deleted",
			Label("MQTT-3.10.4-3"), within,
			func(ctx SpecContext) {
				topic := client.Topic("unsub2")
				sub := subscriber(2, topic)
				publish(session(), topic, "u", 2)
				p, err := sub.ExpectPublish(harness.Timeout)
				Expect(err).NotTo(HaveOccurred())
				unsubscribe(sub, topic)

				Expect(sub.Send(&packet.Pubrec{PacketID: p.PacketID})).To(Succeed())
				Expect(sub.ExpectPubrel(p.PacketID, harness.Timeout)).To(Succeed())
				Expect(sub.Send(&packet.Pubcomp{PacketID: p.PacketID})).To(Succeed())
				expectNothing(sub)
			})
	})
})

var _ = Describe("deleting a subscription", func() {
	It("does not abandon a QoS 1 delivery already begun: it is re-sent after a reconnect",
		Label("MQTT-3.10.4-3", "MQTT-4.4.0-1"), within,
		func(ctx SpecContext) {
			harness.Require(target.Needs{Sessions: 3, QoS: 1, PersistentSessions: true})
			id := harness.PersistentID("p")
			topic := client.Topic("unsub1")
			sub, _ := harness.Accepted(client.ConnectOptions{ClientID: id})
			subscribe(sub, 1, topic)
			publish(session(), topic, "k", 1)
			first, err := sub.ExpectPublish(harness.Timeout)
			Expect(err).NotTo(HaveOccurred())
			unsubscribe(sub, topic)
			Expect(sub.Close()).To(Succeed())

			sub = resume(id)
			again, err := sub.ExpectPublish(harness.Timeout)
			Expect(err).NotTo(HaveOccurred())
			Expect(again.PacketID).To(Equal(first.PacketID))
			Expect(string(again.Payload)).To(Equal("k"))
			Expect(sub.Send(&packet.Puback{PacketID: again.PacketID})).To(Succeed())
			expectNothing(sub)
		})
})
