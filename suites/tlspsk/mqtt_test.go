package tlspsk_test

import (
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("MQTT over TLS-PSK through paho", func() {
	DescribeTable("delivers between two PSK clients",
		func(ctx SpecContext, qos byte) {
			harness.RequirePSK(target.PSKNeeds{})
			harness.Require(target.Needs{QoS: qos})
			topic := client.Topic("pubsub")
			sub := harness.PahoPSK(nil)
			Expect(client.Wait(sub.Subscribe(topic, qos, nil), "subscribe")).To(Succeed())
			pub := harness.PahoPSK(nil)
			// For QoS 1 the token completes on the server's PUBACK.
			Expect(client.Wait(pub.Publish(topic, qos, false, "over psk"), "publish")).To(Succeed())
			var m mqtt.Message
			Eventually(sub.Messages).WithTimeout(harness.Timeout).Should(Receive(&m))
			Expect(m.Topic()).To(Equal(topic))
			Expect(string(m.Payload())).To(Equal("over psk"))
			Expect(m.Qos()).To(Equal(qos))
			Expect(m.Duplicate()).To(BeFalse())
			Expect(m.Retained()).To(BeFalse())
		},
		Entry("at QoS 0", Label("RFC8446-4.2.11", "MQTT-4.3.1-1", "MQTT-3.8.4-1", "MQTT-3.3.1-9"), SpecTimeout(10*time.Second), byte(0)),
		Entry("at QoS 1", Label("RFC8446-4.2.11", "MQTT-4.3.2-1", "MQTT-4.3.2-2", "MQTT-3.8.4-1", "MQTT-3.3.1-9"), SpecTimeout(10*time.Second), byte(1)),
	)

	It("keeps a retained message published over PSK for a later PSK subscriber", Label("RFC8446-4.2.11", "MQTT-3.3.1-5", "MQTT-3.3.1-8"), SpecTimeout(10*time.Second), func(ctx SpecContext) {
		harness.RequirePSK(target.PSKNeeds{})
		harness.Require(target.Needs{Retain: true, QoS: 1, Retained: 1})
		topic := client.Topic("retained")
		t := harness.Current()
		DeferCleanup(func() { Expect(client.ClearRetained(t, topic)).To(Succeed()) })
		pub := harness.PahoPSK(nil)
		Expect(client.Wait(pub.Publish(topic, 1, true, "kept over psk"), "publish")).To(Succeed())
		pub.Close()

		sub := harness.PahoPSK(nil)
		Expect(client.Wait(sub.Subscribe(topic, 1, nil), "subscribe")).To(Succeed())
		var m mqtt.Message
		Eventually(sub.Messages).WithTimeout(harness.Timeout).Should(Receive(&m))
		Expect(string(m.Payload())).To(Equal("kept over psk"))
		Expect(m.Retained()).To(BeTrue())
		Expect(m.Qos()).To(Equal(byte(1)))
	})

	It("publishes the will of a PSK client whose connection breaks", Label("RFC8446-4.2.11", "MQTT-3.1.2-8"), SpecTimeout(10*time.Second), func(ctx SpecContext) {
		harness.RequirePSK(target.PSKNeeds{})
		harness.Require(target.Needs{Wills: true, QoS: 1})
		topic := client.Topic("will")
		sub := harness.PahoPSK(nil)
		Expect(client.Wait(sub.Subscribe(topic, 1, nil), "subscribe")).To(Succeed())
		victim := harness.PahoPSK(nil, func(o *mqtt.ClientOptions) { o.SetWill(topic, "psk client gone", 1, false) })
		// Abort resets the TCP connection beneath TLS: no close_notify, no
		// DISCONNECT, as when a board loses power.
		Expect(victim.Abort()).To(Succeed())
		var m mqtt.Message
		Eventually(sub.Messages).WithTimeout(harness.Timeout).Should(Receive(&m))
		Expect(m.Topic()).To(Equal(topic))
		Expect(string(m.Payload())).To(Equal("psk client gone"))
	})
})
