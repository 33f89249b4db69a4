package lwt_test

import (
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("Will delivery", func() {
	DescribeTable("delivers the will at the lower of the will QoS and the granted QoS",
		Label("MQTT-3.1.2-8", "MQTT-3.8.4-6"),
		func(ctx SpecContext, will, sub packet.QoS) {
			harness.Require(target.Needs{Wills: true, QoS: byte(max(will, sub))})
			topic := client.Topic("qos")
			watcher := watch(topic, sub)

			c := harness.RawSession(willOptions(client.ClientID("qos"), client.Will{Topic: topic, Message: []byte("q"), QoS: will}))
			Expect(c.Close()).To(Succeed())
			expectWill(watcher, client.Message{Topic: topic, Payload: "q", QoS: min(will, sub), Retain: false})
		},
		Entry("will QoS 0, subscribed at QoS 2", packet.QoS(0), packet.QoS(2), SpecTimeout(10*time.Second)),
		Entry("will QoS 1, subscribed at QoS 0", packet.QoS(1), packet.QoS(0), SpecTimeout(10*time.Second)),
		Entry("will QoS 1, subscribed at QoS 1", packet.QoS(1), packet.QoS(1), SpecTimeout(10*time.Second)),
		Entry("will QoS 2, subscribed at QoS 1", packet.QoS(2), packet.QoS(1), SpecTimeout(10*time.Second)),
		Entry("will QoS 2, subscribed at QoS 2", packet.QoS(2), packet.QoS(2), SpecTimeout(10*time.Second)),
	)

	It("publishes a will with retain 1 as a retained message", Label("MQTT-3.1.2-17", "MQTT-3.3.1-8", "MQTT-3.3.1-9"), func(ctx SpecContext) {
		harness.Require(target.Needs{Wills: true, Retain: true, Retained: 1, QoS: 1})
		topic := client.Topic("retained")
		watcher := watch(topic, 1)

		c := harness.RawSession(willOptions(client.ClientID("ret"), client.Will{Topic: topic, Message: []byte("kept"), QoS: 1, Retain: true}))
		Expect(c.Close()).To(Succeed())
		// An existing subscription gets it as a live message, RETAIN 0.
		expectWill(watcher, client.Message{Topic: topic, Payload: "kept", QoS: 1, Retain: false})

		later := harness.RawSession(client.ConnectOptions{CleanSession: true})
		ack, early, err := later.SubscribeCollect(1, 1, harness.Timeout, topic)
		Expect(err).NotTo(HaveOccurred())
		Expect(ack.ReturnCodes).To(Equal([]byte{1}))
		if len(early) == 0 {
			early, err = later.CollectPublishes(1, harness.Timeout)
			Expect(err).NotTo(HaveOccurred())
		}
		Expect(early).To(HaveLen(1))
		Expect(client.MessageOf(early[0])).To(Equal(client.Message{Topic: topic, Payload: "kept", QoS: 1, Retain: true}))
	}, SpecTimeout(10*time.Second))
})
