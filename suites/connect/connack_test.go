package connect_test

import (
	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("CONNACK", func() {
	It("accepts a well-formed CONNECT with CONNACK 0, flags 0 and reserved header bits 0",
		Label("MQTT-3.1.4-4", "MQTT-3.2.2-1", "MQTT-2.2.2-1"), SpecTimeout(specTimeout), func(ctx SpecContext) {
			c := harness.Raw()
			Expect(c.Send(harness.Credentials(client.ConnectOptions{ClientID: client.ClientID("ok"), CleanSession: true, KeepAlive: 60}).Packet())).To(Succeed())
			b, err := c.ReadRaw(harness.Timeout)
			Expect(err).NotTo(HaveOccurred())
			// Fixed header 0x20 (type 2, flags 0000), remaining length 2,
			// acknowledge flags 0 (clean session 1), return code 0.
			Expect(b).To(Equal([]byte{0x20, 0x02, 0x00, 0x00}))
			Expect(c.Send(&packet.Pingreq{})).To(Succeed())
			Expect(c.ExpectPingresp(harness.Timeout)).To(Succeed(), "the accepted connection is served")
		})

	It("sends CONNACK before anything else when CONNECT, SUBSCRIBE and PINGREQ arrive in one write",
		Label("MQTT-3.2.0-1"), SpecTimeout(specTimeout), func(ctx SpecContext) {
			topic := client.Topic("first")
			var out []byte
			out = append(out, frame(harness.Credentials(client.ConnectOptions{ClientID: client.ClientID("first"), CleanSession: true, KeepAlive: 60}).Packet())...)
			out = append(out, frame(packet.NewSubscribe(9, packet.Filter{Topic: []byte(topic)}))...)
			out = append(out, frame(&packet.Pingreq{})...)
			c := harness.Raw()
			Expect(c.SendBytes(out)).To(Succeed())

			ack, err := c.ExpectConnack(harness.Timeout)
			Expect(err).NotTo(HaveOccurred(), "the first packet from the server")
			Expect(ack.ReturnCode).To(Equal(packet.Accepted))
			// SUBACK and PINGRESP answer the packets in the order sent.
			_, err = c.ExpectSuback(9, harness.Timeout)
			Expect(err).NotTo(HaveOccurred())
			Expect(c.ExpectPingresp(harness.Timeout)).To(Succeed())
		})

	It("sends CONNACK before the messages queued for a resumed session",
		Label("MQTT-3.2.0-1", "MQTT-3.2.2-2"), SpecTimeout(specTimeout), func(ctx SpecContext) {
			harness.Require(target.Needs{PersistentSessions: true, QoS: 1, Queued: 1})
			id, topic := client.ClientID("queued"), client.Topic("queued")
			c, _ := harness.Accepted(client.ConnectOptions{ClientID: id, KeepAlive: 60})
			_, err := c.Subscribe(1, 1, harness.Timeout, topic)
			Expect(err).NotTo(HaveOccurred())
			Expect(c.Disconnect()).To(Succeed())
			publishQoS1(topic, "waiting")

			// CONNECT and PINGREQ in one write: the queued PUBLISH and the
			// PINGRESP may come in either order, but only after CONNACK.
			r := harness.Raw()
			out := append(frame(harness.Credentials(client.ConnectOptions{ClientID: id, KeepAlive: 60}).Packet()), frame(&packet.Pingreq{})...)
			Expect(r.SendBytes(out)).To(Succeed())
			ack, err := r.ExpectConnack(harness.Timeout)
			Expect(err).NotTo(HaveOccurred(), "the first packet from the server")
			Expect(ack.ReturnCode).To(Equal(packet.Accepted))
			Expect(ack.SessionPresent).To(BeTrue())
			var sawPublish, sawPingresp bool
			for range 2 {
				p, err := r.Read(harness.Timeout)
				Expect(err).NotTo(HaveOccurred())
				switch p := p.(type) {
				case *packet.Publish:
					Expect(string(p.Payload)).To(Equal("waiting"))
					Expect(r.Send(&packet.Puback{PacketID: p.PacketID})).To(Succeed())
					sawPublish = true
				case *packet.Pingresp:
					sawPingresp = true
				default:
					Fail("after CONNACK expected the queued PUBLISH and PINGRESP, got " + client.Describe(p))
				}
			}
			Expect(sawPublish && sawPingresp).To(BeTrue(), "one queued PUBLISH and one PINGRESP")
		})
})
