package lwt_test

import (
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("Will on a broken connection", func() {
	DescribeTable("publishes the will, not retained, when the network connection closes without DISCONNECT",
		Label("MQTT-3.1.2-8", "MQTT-3.1.2-16"),
		func(ctx SpecContext, vanish func(topic string)) {
			harness.Require(target.Needs{Wills: true})
			topic := client.Topic("gone")
			watcher := watch(topic, 0)

			vanish(topic)
			expectWill(watcher, client.Message{Topic: topic, Payload: "gone", QoS: 0, Retain: false})
			Expect(watcher.ExpectNothing(quiet)).To(Succeed(), "the will must be published once")

			// Retain 0: an ordinary message, nothing kept for later subscribers.
			later := watch(topic, 0)
			Expect(later.ExpectNothing(quiet)).To(Succeed())
		},
		Entry("paho's connection reset (Abort)", func(topic string) {
			c := harness.Paho(func(o *mqtt.ClientOptions) { o.SetWill(topic, "gone", 0, false) })
			Expect(c.Abort()).To(Succeed())
		}, SpecTimeout(10*time.Second)),
		Entry("a raw client closing its socket", func(topic string) {
			c := harness.RawSession(willOptions(client.ClientID("fin"), client.Will{Topic: topic, Message: []byte("gone")}))
			Expect(c.Close()).To(Succeed())
		}, SpecTimeout(10*time.Second)),
	)

	It("publishes the will when the keep alive runs out one and a half times over", Label("MQTT-3.1.2-24", "MQTT-3.1.2-8"), func(ctx SpecContext) {
		harness.Require(target.Needs{Wills: true})
		topic := client.Topic("keepalive")
		watcher := watch(topic, 0)

		o := willOptions(client.ClientID("ka"), client.Will{Topic: topic, Message: []byte("silent")})
		o.KeepAlive = 1
		start := time.Now()
		c, ack := harness.Connect(o)
		if ack.ReturnCode == packet.RefusedServerUnavailable {
			// A bounded server may refuse a keep alive outside its range
			// with CONNACK 3 (MQTT 3.1.2.10 lets it close instead of serve).
			Skip("the target refuses keep alive 1 s: " + client.Describe(ack))
		}
		Expect(ack.ReturnCode).To(Equal(packet.Accepted), client.Describe(ack))
		// The server must close once 1.5 s pass with nothing received; not
		// before the 1 s keep alive itself is over, and the bound adds
		// slack for a server that checks its timers once a second.
		Expect(c.ExpectClosed(3 * time.Second)).To(Succeed())
		Expect(time.Since(start)).To(BeNumerically(">=", time.Second), "closed before the keep alive period was over")
		expectWill(watcher, client.Message{Topic: topic, Payload: "silent", QoS: 0, Retain: false})
	}, SpecTimeout(10*time.Second))

	DescribeTable("publishes the will when the server closes the connection for a protocol error",
		Label("MQTT-3.1.2-8", "MQTT-4.8.0-1"),
		func(ctx SpecContext, bad []byte) {
			harness.Require(target.Needs{Wills: true})
			topic := client.Topic("error")
			watcher := watch(topic, 0)

			c := harness.RawSession(willOptions(client.ClientID("err"), client.Will{Topic: topic, Message: []byte("broken")}))
			Expect(c.SendBytes(bad)).To(Succeed())
			Expect(c.ExpectClosed(harness.Timeout)).To(Succeed())
			expectWill(watcher, client.Message{Topic: topic, Payload: "broken", QoS: 0, Retain: false})
		},
		Entry("a second CONNECT", secondConnect(), Label("MQTT-3.1.0-2", "second-connect"), SpecTimeout(10*time.Second)),
		Entry("a PUBLISH with both QoS bits set", []byte{0x36, 5, 0, 1, 'a', 0, 1}, Label("MQTT-3.3.1-4"), SpecTimeout(10*time.Second)),
		Entry("a SUBSCRIBE with fixed-header flags 0000", []byte{0x80, 6, 0, 1, 0, 1, 'a', 0}, Label("MQTT-3.8.1-1"), SpecTimeout(10*time.Second)),
		Entry("the reserved packet type 0", []byte{0x00, 0}, SpecTimeout(10*time.Second)),
	)
})

// secondConnect encodes a well-formed CONNECT, which is a protocol
// violation once the connection has been accepted.
func secondConnect() []byte {
	b, err := client.ConnectOptions{ClientID: "second", CleanSession: true}.Packet().Append(nil)
	if err != nil {
		panic(err)
	}
	return b
}
