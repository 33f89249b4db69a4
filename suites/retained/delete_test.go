package retained_test

import (
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"

	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("Deleting retained messages", func() {
	It("removes the retained message on an empty retained PUBLISH and still forwards that PUBLISH", Label("MQTT-3.3.1-10", "MQTT-3.3.1-9"), func(ctx SpecContext) {
		harness.Require(target.Needs{Retain: true, Retained: 1, QoS: 1})
		topic := client.Topic("delete")
		r := newRetainer()
		r.publish(topic, "x", 1, true)

		live := subscriber()
		got := replay(live, 1, 1, 1, topic)
		Expect(client.MessageOf(got[0])).To(Equal(client.Message{Topic: topic, Payload: "x", QoS: 1, Retain: true}))
		Expect(live.Acknowledge(got[0])).To(Succeed())

		r.publish(topic, "", 1, true)
		// The empty message is forwarded as usual, so an existing
		// subscription sees it with RETAIN 0 (MQTT-3.3.1-9).
		p, err := live.ExpectPublish(harness.Timeout)
		Expect(err).NotTo(HaveOccurred())
		Expect(client.MessageOf(p)).To(Equal(client.Message{Topic: topic, Payload: "", QoS: 1, Retain: false}))
		Expect(live.Acknowledge(p)).To(Succeed())

		replay(subscriber(), 1, 1, 0, topic)
	}, SpecTimeout(10*time.Second))

	It("never keeps an empty retained PUBLISH as a retained message", Label("MQTT-3.3.1-11"), func(ctx SpecContext) {
		harness.Require(target.Needs{Retain: true, QoS: 1})
		topic := client.Topic("empty")
		r := newRetainer()
		r.publish(topic, "", 1, true)
		r.publish(topic, "", 0, true)

		replay(subscriber(), 1, 1, 0, topic)
	}, SpecTimeout(10*time.Second))

	It("deletes only the topic it names", Label("MQTT-3.3.1-10", "MQTT-3.3.1-6"), func(ctx SpecContext) {
		harness.Require(target.Needs{Retain: true, Retained: 2, QoS: 1})
		base := client.Topic("deleteone")
		r := newRetainer()
		r.publish(base+"/a", "a", 1, true)
		r.publish(base+"/b", "b", 1, true)
		r.publish(base+"/a", "", 1, true)

		got := replay(subscriber(), 1, 1, 1, base+"/+")
		Expect(client.MessageOf(got[0])).To(Equal(client.Message{Topic: base + "/b", Payload: "b", QoS: 1, Retain: true}))
	}, SpecTimeout(10*time.Second))
})
