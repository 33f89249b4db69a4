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

var _ = Describe("Will on takeover", func() {
	// MQTT-3.1.4-2 makes the server close the older connection of a client
	// identifier; that close is not the client's DISCONNECT, so MQTT-3.1.2-8
	// has the server publish the older connection's will.
	It("publishes the will of a connection closed because its client identifier connected again", Label("MQTT-3.1.2-8", "MQTT-3.1.4-2"), func(ctx SpecContext) {
		harness.Require(target.Needs{Wills: true})
		topic := client.Topic("takeover")
		watcher := watch(topic, 0)
		id := client.ClientID("twice")

		first := harness.RawSession(willOptions(id, client.Will{Topic: topic, Message: []byte("replaced")}))
		second := harness.RawSession(client.ConnectOptions{ClientID: id, CleanSession: true})
		Expect(first.ExpectClosed(harness.Timeout)).To(Succeed())
		expectWill(watcher, client.Message{Topic: topic, Payload: "replaced", QoS: 0, Retain: false})

		Expect(second.Send(&packet.Pingreq{})).To(Succeed())
		Expect(second.ExpectPingresp(harness.Timeout)).To(Succeed())
		Expect(watcher.ExpectNothing(quiet)).To(Succeed(), "the will must be published once")
	}, SpecTimeout(10*time.Second))
})
