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

var _ = Describe("Storing retained messages", func() {
	It("delivers a retained message to a later subscriber with RETAIN 1", Label("MQTT-3.3.1-5", "MQTT-3.3.1-8"), func(ctx SpecContext) {
		harness.Require(target.Needs{Retain: true, Retained: 1, QoS: 1})
		topic := client.Topic("store")
		newRetainer().publish(topic, "kept", 1, true)

		got := replay(subscriber(), 1, 1, 1, topic)
		Expect(client.MessageOf(got[0])).To(Equal(client.Message{Topic: topic, Payload: "kept", QoS: 1, Retain: true}))
	}, SpecTimeout(10*time.Second))

	It("keeps a retained message after the session that published it has ended", Label("MQTT-3.1.2-7", "MQTT-3.3.1-5"), func(ctx SpecContext) {
		harness.Require(target.Needs{Retain: true, Retained: 1, QoS: 1, PersistentSessions: true})
		topic := client.Topic("outlive")
		id := client.ClientID("outlive")
		c := harness.RawSession(client.ConnectOptions{ClientID: id})
		Expect(c.PublishWait(topic, []byte("kept"), 1, true, 1, harness.Timeout)).To(Succeed())
		Expect(c.Disconnect()).To(Succeed())
		// Retained messages are not session state: ending the session with
		// a clean-session CONNECT of the same identifier leaves them be.
		Expect(client.ClearSession(harness.Current(), id)).To(Succeed())

		got := replay(subscriber(), 1, 1, 1, topic)
		Expect(client.MessageOf(got[0])).To(Equal(client.Message{Topic: topic, Payload: "kept", QoS: 1, Retain: true}))
	}, SpecTimeout(10*time.Second))

	It("keeps only the last retained message of a topic", Label("MQTT-3.3.1-5", "MQTT-3.3.1-6"), func(ctx SpecContext) {
		harness.Require(target.Needs{Retain: true, Retained: 1, QoS: 1})
		topic := client.Topic("replace")
		r := newRetainer()
		for _, p := range []string{"one", "two", "three"} {
			r.publish(topic, p, 1, true)
		}

		got := replay(subscriber(), 1, 1, 1, topic)
		Expect(client.MessageOf(got[0])).To(Equal(client.Message{Topic: topic, Payload: "three", QoS: 1, Retain: true}))
	}, SpecTimeout(10*time.Second))

	It("lets a retained QoS 0 message replace the old one, kept or later discarded", Label("MQTT-3.3.1-7"), func(ctx SpecContext) {
		harness.Require(target.Needs{Retain: true, Retained: 1, QoS: 1})
		topic := client.Topic("qos0")
		r := newRetainer()
		r.publish(topic, "old", 1, true)
		r.publish(topic, "new", 0, true)

		// The server should keep "new" but may discard a retained QoS 0
		// message at any time, leaving nothing; "old" must be gone either way.
		c := subscriber()
		_, got := subscribe(c, 1, 1, topic)
		if len(got) == 0 {
			p, err := c.Read(quiet)
			if err == nil {
				pub, ok := p.(*packet.Publish)
				Expect(ok).To(BeTrue(), "expected PUBLISH or nothing, got %s", client.Describe(p))
				got = append(got, pub)
			} else {
				Expect(err).To(MatchError(client.ErrTimeout))
			}
		}
		Expect(len(got)).To(BeNumerically("<=", 1), "%v", client.MessagesOf(got))
		if len(got) == 1 {
			Expect(client.MessageOf(got[0])).To(Equal(client.Message{Topic: topic, Payload: "new", QoS: 0, Retain: true}))
		}
		Expect(c.ExpectNothing(quiet)).To(Succeed())
	}, SpecTimeout(10*time.Second))

	It("neither stores nor removes anything for a PUBLISH with RETAIN 0", Label("MQTT-3.3.1-12"), func(ctx SpecContext) {
		harness.Require(target.Needs{Retain: true, Retained: 1, QoS: 1})
		topic := client.Topic("noretain")
		r := newRetainer()
		r.publish(topic, "x", 1, true)
		r.publish(topic, "y", 1, false)
		r.publish(topic, "", 1, false)

		got := replay(subscriber(), 1, 1, 1, topic)
		Expect(client.MessageOf(got[0])).To(Equal(client.Message{Topic: topic, Payload: "x", QoS: 1, Retain: true}))
	}, SpecTimeout(10*time.Second))

	It("stores nothing for a RETAIN 0 PUBLISH on a topic without a retained message", Label("MQTT-3.3.1-12"), func(ctx SpecContext) {
		harness.Require(target.Needs{Retain: true, QoS: 1})
		topic := client.Topic("plain")
		newRetainer().publish(topic, "y", 1, false)

		replay(subscriber(), 1, 1, 0, topic)
	}, SpecTimeout(10*time.Second))
})
