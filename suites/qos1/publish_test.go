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

var _ = Describe("PUBLISH", func() {
	BeforeEach(func() {
		harness.Require(target.Needs{Sessions: 3, QoS: 1})
	})

	It("forwards QoS 0 at QoS 0 with DUP 0, no packet identifier and no acknowledgement",
		Label("MQTT-2.3.1-5", "MQTT-3.3.1-2", "MQTT-4.3.1-1", "MQTT-3.3.4-1", "MQTT-3.3.2-1"), within,
		func(ctx SpecContext) {
			topic := client.Topic("q0")
			sub := subscriber(0, topic)
			pub := session()
			Expect(pub.Publish(topic, []byte("hello"), 0, false, 0)).To(Succeed())

			frame, err := sub.ReadRaw(harness.Timeout)
			Expect(err).NotTo(HaveOccurred())
			// Fixed header 0x30 (QoS 0, DUP 0, RETAIN 0) and a remaining
			// length of topic and payload only: no identifier field.
			Expect(frame[0]).To(Equal(byte(0x30)), "fixed header % x", frame[:2])
			Expect(frame[1:]).To(Equal(append(packet.AppendString([]byte{byte(2 + len(topic) + 5)}, topic), "hello"...)))
			// A QoS 0 PUBLISH is answered with nothing.
			expectNothing(pub, sub)
		})

	It("acknowledges QoS 1 with a PUBACK carrying the PUBLISH's packet identifier",
		Label("MQTT-3.3.4-1", "MQTT-2.3.1-6", "MQTT-2.2.2-1", "MQTT-4.3.2-2"), within,
		func(ctx SpecContext) {
			topic := client.Topic("puback")
			pub := session()
			for _, id := range []uint16{1, 0x1234, 0xFFFF} {
				Expect(pub.Publish(topic, []byte("x"), 1, false, id)).To(Succeed())
				expectRaw(pub, ackBytes(packet.PUBACK, id))
			}
		})

	It("forwards QoS 1 at QoS 1 with DUP 0 and a non-zero identifier, and sends it once when acknowledged",
		Label("MQTT-4.3.2-1", "MQTT-2.3.1-1", "MQTT-3.3.4-1", "MQTT-3.3.2-3"), within,
		func(ctx SpecContext) {
			topic := client.Topic("q1")
			sub := subscriber(1, topic)
			pub := session()
			publish(pub, topic, "m1", 1)

			p, err := sub.ExpectPublish(harness.Timeout)
			Expect(err).NotTo(HaveOccurred())
			Expect(p.QoS).To(Equal(packet.QoS(1)))
			Expect(p.Dup).To(BeFalse())
			Expect(p.PacketID).NotTo(BeZero())
			Expect(string(p.Topic)).To(Equal(topic))
			Expect(string(p.Payload)).To(Equal("m1"))
			Expect(sub.Send(&packet.Puback{PacketID: p.PacketID})).To(Succeed())
			expectNothing(sub)
		})

	It("forwards a PUBLISH sent with DUP 1 with DUP 0, since the forward is not a retransmission",
		Label("MQTT-3.3.1-3"), within,
		func(ctx SpecContext) {
			topic := client.Topic("dup")
			sub := subscriber(1, topic)
			pub := session()
			Expect(pub.Send(&packet.Publish{Topic: []byte(topic), Payload: []byte("d"), QoS: 1, Dup: true, PacketID: 3})).To(Succeed())
			Expect(pub.ExpectPuback(3, harness.Timeout)).To(Succeed())

			p := receiveOne(sub)
			Expect(p.Dup).To(BeFalse(), "delivered %s", client.Describe(p))
		})

	It("treats a QoS 1 PUBLISH reusing an acknowledged identifier as a new message, whatever its DUP flag",
		Label("MQTT-4.3.2-2"), within,
		func(ctx SpecContext) {
			topic := client.Topic("reuse")
			sub := subscriber(1, topic)
			pub := session()
			Expect(pub.Publish(topic, []byte("first"), 1, false, 5)).To(Succeed())
			Expect(pub.ExpectPuback(5, harness.Timeout)).To(Succeed())
			Expect(pub.Send(&packet.Publish{Topic: []byte(topic), Payload: []byte("second"), QoS: 1, Dup: true, PacketID: 5})).To(Succeed())
			Expect(pub.ExpectPuback(5, harness.Timeout)).To(Succeed())

			Expect(payloads(receive(sub, 2))).To(Equal([]string{"first", "second"}))
		})

	It("delivers a message to its own sender when the sender subscribes to the topic",
		Label("MQTT-4.5.0-1"), within,
		func(ctx SpecContext) {
			topic := client.Topic("self")
			c := subscriber(1, topic)
			Expect(c.Publish(topic, []byte("echo"), 1, false, 9)).To(Succeed())
			// The PUBACK for the sender's PUBLISH and the delivery to its
			// subscription may come in either order.
			var acked bool
			var got []*packet.Publish
			for i := 0; i < 2; i++ {
				p, err := c.Read(harness.Timeout)
				Expect(err).NotTo(HaveOccurred(), "acked=%t, delivered %s", acked, harness.DescribeAll(got))
				switch p := p.(type) {
				case *packet.Puback:
					Expect(p.PacketID).To(Equal(uint16(9)))
					acked = true
				case *packet.Publish:
					got = append(got, p)
					Expect(c.Send(&packet.Puback{PacketID: p.PacketID})).To(Succeed())
				default:
					Fail("expected PUBACK and PUBLISH, got " + client.Describe(p))
				}
			}
			Expect(acked).To(BeTrue())
			Expect(payloads(got)).To(Equal([]string{"echo"}))
			expectNothing(c)
		})

	It("adds a message to every session with a matching subscription",
		Label("MQTT-4.5.0-1"), within,
		func(ctx SpecContext) {
			harness.Require(target.Needs{Sessions: 5})
			topic := client.Topic("fan")
			subs := []*client.RawClient{subscriber(1, topic), subscriber(0, topic), subscriber(1, topic)}
			publish(session(), topic, "all", 1)
			for _, s := range subs {
				Expect(payloads(receive(s, 1))).To(Equal([]string{"all"}))
			}
		})

	Describe("a malformed PUBLISH closes the connection and is not delivered", func() {
		var topic string
		var sub *client.RawClient
		BeforeEach(func() {
			topic = client.Topic("bad")
			sub = subscriber(1, topic+"/#")
		})

		DescribeTable("fixed header and topic name",
			func(ctx context.Context, frame func(topic string) []byte) {
				c := session()
				Expect(c.SendBytes(frame(topic))).To(Succeed())
				Expect(c.ExpectClosed(closeBound)).To(Succeed())
				expectNothing(sub)
			},
			Entry("QoS bits 11", Label("MQTT-3.3.1-4"), within, func(t string) []byte {
				return publishBytes(0x06, []byte(t+"/q3"), 1, "x")
			}),
			Entry("QoS bits 11 with DUP and RETAIN", Label("MQTT-3.3.1-4"), within, func(t string) []byte {
				return publishBytes(0x0F, []byte(t+"/q3"), 1, "x")
			}),
			Entry("'+' in the topic name", Label("MQTT-3.3.2-2", "MQTT-4.7.1-1"), within, func(t string) []byte {
				return publishBytes(0x02, []byte(t+"/+"), 1, "x")
			}),
			Entry("'#' in the topic name", Label("MQTT-3.3.2-2", "MQTT-4.7.1-1"), within, func(t string) []byte {
				return publishBytes(0x02, []byte(t+"/#"), 1, "x")
			}),
			Entry("'+' inside a level", Label("MQTT-3.3.2-2", "MQTT-4.7.1-1"), within, func(t string) []byte {
				return publishBytes(0x00, []byte(t+"/a+b"), 0, "x")
			}),
			Entry("an empty topic name", Label("MQTT-4.7.3-1"), within, func(string) []byte {
				return publishBytes(0x02, nil, 1, "x")
			}),
			Entry("U+0000 in the topic name", Label("MQTT-4.7.3-2", "MQTT-1.5.3-2"), within, func(t string) []byte {
				return publishBytes(0x02, []byte(t+"/a\x00b"), 1, "x")
			}),
			Entry("an encoded surrogate in the topic name", Label("MQTT-3.3.2-1", "MQTT-1.5.3-1"), within, func(t string) []byte {
				return publishBytes(0x02, []byte(t+"/\xed\xa0\x80"), 1, "x")
			}),
			Entry("QoS 1 with packet identifier 0", Label("MQTT-2.3.1-1"), within, func(t string) []byte {
				return publishBytes(0x02, []byte(t+"/zero"), 0, "x")
			}),
		)
	})
})
