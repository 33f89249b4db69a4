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

	// A retain-1 will is checked twice, on the live copy and on the stored
	// one, so that a server getting one wrong still shows the other.
	Context("with retain 1", func() {
		BeforeEach(func() { harness.Require(target.Needs{Wills: true, Retain: true, Retained: 1, QoS: 1}) })

		// fireRetainedWill makes a client with a retain-1 QoS 1 will on
		// topic end abruptly, and returns the live copy a subscriber made
		// before then received.
		fireRetainedWill := func(topic string) *packet.Publish {
			GinkgoHelper()
			watcher := watch(topic, 1)
			c := harness.RawSession(willOptions(client.ClientID("ret"), client.Will{Topic: topic, Message: []byte("kept"), QoS: 1, Retain: true}))
			Expect(c.Close()).To(Succeed())
			p, err := watcher.ExpectPublish(harness.Timeout)
			Expect(err).NotTo(HaveOccurred(), "the will, published to a subscriber made before")
			Expect(watcher.Acknowledge(p)).To(Succeed())
			return p
		}

		It("reaches an existing subscription as a live message with RETAIN 0", Label("MQTT-3.3.1-9"), func(ctx SpecContext) {
			topic := client.Topic("retained")
			live := fireRetainedWill(topic)
			Expect(client.MessageOf(live)).To(Equal(client.Message{Topic: topic, Payload: "kept", QoS: 1, Retain: false}))
		}, SpecTimeout(10*time.Second))

		It("is kept as a retained message for a later subscription, with RETAIN 1", Label("MQTT-3.1.2-17", "MQTT-3.3.1-8"), func(ctx SpecContext) {
			topic := client.Topic("retained")
			fireRetainedWill(topic)

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
})
