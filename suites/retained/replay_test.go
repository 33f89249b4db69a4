package retained_test

import (
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("Replaying retained messages", func() {
	It("replays every retained topic a multi-level wildcard matches", Label("MQTT-3.3.1-6", "MQTT-3.3.1-8"), func(ctx SpecContext) {
		harness.Require(target.Needs{Retain: true, Retained: 3, QoS: 1})
		base := client.Topic("hash")
		r := newRetainer()
		r.publish(base, "parent", 1, true) // '#' also matches the parent level
		r.publish(base+"/a", "a", 1, true)
		r.publish(base+"/b/c", "bc", 1, true)

		got := replay(subscriber(), 1, 1, 3, base+"/#")
		Expect(client.MessagesOf(got)).To(ConsistOf(
			client.Message{Topic: base, Payload: "parent", QoS: 1, Retain: true},
			client.Message{Topic: base + "/a", Payload: "a", QoS: 1, Retain: true},
			client.Message{Topic: base + "/b/c", Payload: "bc", QoS: 1, Retain: true},
		))
	}, SpecTimeout(10*time.Second))

	It("replays exactly the retained topics a single-level wildcard matches", Label("MQTT-3.3.1-6", "MQTT-3.3.1-8"), func(ctx SpecContext) {
		harness.Require(target.Needs{Retain: true, Retained: 4, QoS: 1})
		base := client.Topic("plus")
		r := newRetainer()
		r.publish(base+"/a", "a", 1, true)
		r.publish(base+"/b", "b", 1, true)
		r.publish(base+"/b/c", "deeper", 1, true)
		r.publish(base, "parent", 1, true)

		got := replay(subscriber(), 1, 1, 2, base+"/+")
		Expect(client.MessagesOf(got)).To(ConsistOf(
			client.Message{Topic: base + "/a", Payload: "a", QoS: 1, Retain: true},
			client.Message{Topic: base + "/b", Payload: "b", QoS: 1, Retain: true},
		))
	}, SpecTimeout(10*time.Second))

	It("replays the retained messages again on a repeated SUBSCRIBE, at the new QoS, without duplicating later messages", Label("MQTT-3.8.4-3", "MQTT-3.3.1-8"), func(ctx SpecContext) {
		harness.Require(target.Needs{Retain: true, Retained: 1, QoS: 1})
		topic := client.Topic("resubscribe")
		r := newRetainer()
		r.publish(topic, "x", 1, true)

		c := subscriber()
		got := replay(c, 1, 0, 1, topic)
		Expect(client.MessageOf(got[0])).To(Equal(client.Message{Topic: topic, Payload: "x", QoS: 0, Retain: true}))

		granted, got := subscribe(c, 2, 1, topic)
		Expect(granted).To(Equal(packet.QoS(1)), "the target declares QoS 1 but granted less")
		if len(got) == 0 {
			var err error
			got, err = c.CollectPublishes(1, harness.Timeout)
			Expect(err).NotTo(HaveOccurred())
		}
		Expect(client.MessagesOf(got)).To(HaveLen(1))
		Expect(client.MessageOf(got[0])).To(Equal(client.Message{Topic: topic, Payload: "x", QoS: 1, Retain: true}))
		Expect(c.Acknowledge(got[0])).To(Succeed())

		// The subscription was replaced, not added: one live copy, at the new QoS.
		r.publish(topic, "live", 1, false)
		got, err := c.CollectPublishes(1, harness.Timeout)
		Expect(err).NotTo(HaveOccurred())
		Expect(client.MessageOf(got[0])).To(Equal(client.Message{Topic: topic, Payload: "live", QoS: 1, Retain: false}))
		Expect(c.Acknowledge(got[0])).To(Succeed())
		Expect(c.ExpectNothing(quiet)).To(Succeed())
	}, SpecTimeout(10*time.Second))

	It("sets RETAIN 1 on replay and RETAIN 0 on live delivery of a retained PUBLISH", Label("MQTT-3.3.1-8", "MQTT-3.3.1-9"), func(ctx SpecContext) {
		harness.Require(target.Needs{Retain: true, Retained: 1, QoS: 1})
		topic := client.Topic("flag")
		r := newRetainer()
		live := subscriber()
		replay(live, 1, 1, 0, topic)

		r.publish(topic, "x", 1, true)
		got, err := live.CollectPublishes(1, harness.Timeout)
		Expect(err).NotTo(HaveOccurred())
		Expect(live.Acknowledge(got[0])).To(Succeed())
		replayed := replay(subscriber(), 1, 1, 1, topic)

		// Both copies are compared at once, so a wrong flag on one does
		// not hide the other's.
		Expect(client.MessagesOf([]*packet.Publish{got[0], replayed[0]})).To(Equal([]client.Message{
			{Topic: topic, Payload: "x", QoS: 1, Retain: false}, // live, MQTT-3.3.1-9
			{Topic: topic, Payload: "x", QoS: 1, Retain: true},  // replayed, MQTT-3.3.1-8
		}))
	}, SpecTimeout(10*time.Second))

	DescribeTable("replays at the lower of the stored and the granted QoS",
		Label("MQTT-3.3.1-5", "MQTT-3.8.4-6"),
		func(ctx SpecContext, stored, requested packet.QoS) {
			harness.Require(target.Needs{Retain: true, Retained: 1, QoS: byte(max(stored, requested))})
			topic := client.Topic("qos")
			newRetainer().publish(topic, "q", stored, true)

			c := subscriber()
			granted, got := subscribe(c, 1, requested, topic)
			if len(got) == 0 {
				wait := harness.Timeout
				if stored == 0 {
					wait = quiet
				}
				more, err := c.CollectPublishes(1, wait)
				if stored == 0 && err != nil {
					// A retained QoS 0 message may be discarded at any
					// time (MQTT-3.3.1-7); nothing at all is allowed.
					Expect(more).To(BeEmpty())
					return
				}
				Expect(err).NotTo(HaveOccurred())
				got = more
			}
			Expect(client.MessagesOf(got)).To(HaveLen(1))
			Expect(client.MessageOf(got[0])).To(Equal(client.Message{Topic: topic, Payload: "q", QoS: min(stored, granted), Retain: true}))
			Expect(c.ExpectNothing(quiet)).To(Succeed())
		},
		Entry("stored at QoS 2, subscribed at QoS 0", packet.QoS(2), packet.QoS(0), SpecTimeout(10*time.Second)),
		Entry("stored at QoS 2, subscribed at QoS 1", packet.QoS(2), packet.QoS(1), SpecTimeout(10*time.Second)),
		Entry("stored at QoS 2, subscribed at QoS 2", packet.QoS(2), packet.QoS(2), SpecTimeout(10*time.Second)),
		Entry("stored at QoS 1, subscribed at QoS 0", packet.QoS(1), packet.QoS(0), SpecTimeout(10*time.Second)),
		Entry("stored at QoS 1, subscribed at QoS 2", packet.QoS(1), packet.QoS(2), SpecTimeout(10*time.Second)),
		Entry("stored at QoS 0, subscribed at QoS 2", packet.QoS(0), packet.QoS(2), Label("MQTT-3.3.1-7"), SpecTimeout(10*time.Second)),
	)
})
