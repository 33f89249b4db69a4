package lwt_test

import (
	"time"

	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("Will and DISCONNECT", func() {
	It("discards the will on DISCONNECT", Label("MQTT-3.14.4-3", "MQTT-3.1.2-10"), func(ctx SpecContext) {
		harness.Require(harness.Needs{Wills: true})
		topic := harness.Topic("polite")
		watcher := watch(topic, 0)

		c := harness.RawSession(willOptions(harness.ClientID("bye"), harness.Will{Topic: topic, Message: []byte("never")}))
		disconnect(c)
		Expect(watcher.ExpectNothing(quiet)).To(Succeed())
	}, SpecTimeout(10*time.Second))

	It("keeps no will in a resumed session after DISCONNECT", Label("MQTT-3.1.2-10", "MQTT-3.1.2-12", "MQTT-3.14.4-3"), func(ctx SpecContext) {
		harness.Require(harness.Needs{Wills: true, PersistentSessions: true})
		topic := harness.Topic("resumed")
		watcher := watch(topic, 0)
		id := harness.ClientID("resume")

		o := willOptions(id, harness.Will{Topic: topic, Message: []byte("stale")})
		o.CleanSession = false
		disconnect(harness.RawSession(o))

		// The same session without a will, ended abruptly: there is no
		// will to publish, and the dropped one must not come back.
		again := harness.RawSession(harness.ConnectOptions{ClientID: id})
		Expect(again.Close()).To(Succeed())
		Expect(watcher.ExpectNothing(quiet)).To(Succeed())
	}, SpecTimeout(10*time.Second))

	It("publishes a will once and then removes it from the session", Label("MQTT-3.1.2-10", "MQTT-3.1.2-8"), func(ctx SpecContext) {
		harness.Require(harness.Needs{Wills: true, PersistentSessions: true})
		topic := harness.Topic("once")
		watcher := watch(topic, 0)
		id := harness.ClientID("once")

		o := willOptions(id, harness.Will{Topic: topic, Message: []byte("once")})
		o.CleanSession = false
		Expect(harness.RawSession(o).Close()).To(Succeed())
		expectWill(watcher, harness.Message{Topic: topic, Payload: "once", QoS: 0, Retain: false})

		again := harness.RawSession(harness.ConnectOptions{ClientID: id})
		Expect(again.Close()).To(Succeed())
		Expect(watcher.ExpectNothing(quiet)).To(Succeed())
	}, SpecTimeout(10*time.Second))
})
