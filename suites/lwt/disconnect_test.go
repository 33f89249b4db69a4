package lwt_test

import (
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"

	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("Will and DISCONNECT", func() {
	It("discards the will on DISCONNECT", Label("MQTT-3.14.4-3", "MQTT-3.1.2-10"), func(ctx SpecContext) {
		harness.Require(target.Needs{Wills: true})
		topic := client.Topic("polite")
		watcher := watch(topic, 0)

		c := harness.RawSession(willOptions(client.ClientID("bye"), client.Will{Topic: topic, Message: []byte("never")}))
		disconnect(c)
		Expect(watcher.ExpectNothing(quiet)).To(Succeed())
	}, SpecTimeout(10*time.Second))

	It("keeps no will in a resumed session after DISCONNECT", Label("MQTT-3.1.2-10", "MQTT-3.1.2-12", "MQTT-3.14.4-3"), func(ctx SpecContext) {
		harness.Require(target.Needs{Wills: true, PersistentSessions: true})
		topic := client.Topic("resumed")
		watcher := watch(topic, 0)
		id := client.ClientID("resume")

		o := willOptions(id, client.Will{Topic: topic, Message: []byte("stale")})
		o.CleanSession = false
		disconnect(harness.RawSession(o))

		// The same session without a will, ended abruptly: there is no
		// will to publish, and the dropped one must not come back.
		again := harness.RawSession(client.ConnectOptions{ClientID: id})
		Expect(again.Close()).To(Succeed())
		Expect(watcher.ExpectNothing(quiet)).To(Succeed())
	}, SpecTimeout(10*time.Second))

	It("publishes a will once and then removes it from the session", Label("MQTT-3.1.2-10", "MQTT-3.1.2-8"), func(ctx SpecContext) {
		harness.Require(target.Needs{Wills: true, PersistentSessions: true})
		topic := client.Topic("once")
		watcher := watch(topic, 0)
		id := client.ClientID("once")

		o := willOptions(id, client.Will{Topic: topic, Message: []byte("once")})
		o.CleanSession = false
		Expect(harness.RawSession(o).Close()).To(Succeed())
		expectWill(watcher, client.Message{Topic: topic, Payload: "once", QoS: 0, Retain: false})

		again := harness.RawSession(client.ConnectOptions{ClientID: id})
		Expect(again.Close()).To(Succeed())
		Expect(watcher.ExpectNothing(quiet)).To(Succeed())
	}, SpecTimeout(10*time.Second))
})
