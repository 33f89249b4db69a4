package connect_test

import (
	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("Takeover", func() {
	It("closes the older connection when a client identifier connects again",
		Label("MQTT-3.1.4-2", "MQTT-3.1.4-4"), SpecTimeout(specTimeout), func(ctx SpecContext) {
			id := client.ClientID("twice")
			first, _ := harness.Accepted(client.ConnectOptions{ClientID: id, CleanSession: true, KeepAlive: 60})
			second, _ := harness.Accepted(client.ConnectOptions{ClientID: id, CleanSession: true, KeepAlive: 60})
			Expect(first.ExpectClosed(closeWithin)).To(Succeed(), "the first connection of %s", id)
			Expect(second.Send(&packet.Pingreq{})).To(Succeed())
			Expect(second.ExpectPingresp(harness.Timeout)).To(Succeed(), "the second connection of %s", id)
		})

	It("hands a persistent session over to the new connection",
		Label("MQTT-3.1.4-2", "MQTT-3.2.2-2"), SpecTimeout(specTimeout), func(ctx SpecContext) {
			harness.Require(target.Needs{PersistentSessions: true, QoS: 1})
			id, topic := client.ClientID("handover"), client.Topic("handover")
			first, _ := harness.Accepted(client.ConnectOptions{ClientID: id, KeepAlive: 60})
			_, err := first.Subscribe(1, 1, harness.Timeout, topic)
			Expect(err).NotTo(HaveOccurred())

			second, ack := harness.Accepted(client.ConnectOptions{ClientID: id, KeepAlive: 60})
			Expect(ack.SessionPresent).To(BeTrue(), "the session of the live connection exists")
			Expect(first.ExpectClosed(closeWithin)).To(Succeed(), "the first connection of %s", id)
			publishQoS1(topic, "to the new connection")
			p := expectPublish(second, topic, "to the new connection")
			Expect(second.Send(&packet.Puback{PacketID: p.PacketID})).To(Succeed())
		})
})
