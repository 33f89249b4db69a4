package connect_test

import (
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("Protocol violations", func() {
	It("closes the connection on a second CONNECT",
		Label("MQTT-3.1.0-2"), SpecTimeout(specTimeout), func(ctx SpecContext) {
			id := client.ClientID("again")
			c, _ := harness.Accepted(client.ConnectOptions{ClientID: id, CleanSession: true, KeepAlive: 60})
			Expect(c.Send(harness.Credentials(client.ConnectOptions{ClientID: id, CleanSession: true, KeepAlive: 60}).Packet())).To(Succeed())
			Expect(c.ExpectClosed(closeWithin)).To(Succeed())
		})

	// Anything but CONNECT first breaks MQTT-3.1.0-1 (the client's rule);
	// the server's side is to close the connection (MQTT-4.8.0-1), sending
	// nothing and acting on nothing.
	DescribeTable("closes a connection whose first packet is not CONNECT",
		func(ctx SpecContext, first func(topic string) []byte) {
			topic := client.Topic("first")
			sub := subscriber(topic, 0)
			c := harness.Raw()
			Expect(c.SendBytes(first(topic))).To(Succeed())
			Expect(c.ExpectClosed(closeWithin)).To(Succeed())
			expectNothingBefore(sub, topic, "a packet sent before CONNECT was acted on")
		},
		Entry("PUBLISH", Label("MQTT-4.8.0-1", "MQTT-3.1.0-1"), SpecTimeout(specTimeout),
			func(topic string) []byte {
				return frame(&packet.Publish{Topic: []byte(topic), Payload: []byte("no CONNECT")})
			}),
		Entry("SUBSCRIBE", Label("MQTT-4.8.0-1", "MQTT-3.1.0-1"), SpecTimeout(specTimeout),
			func(topic string) []byte {
				return frame(packet.NewSubscribe(1, packet.Filter{Topic: []byte(topic)}))
			}),
		Entry("PINGREQ", Label("MQTT-4.8.0-1", "MQTT-3.1.0-1"), SpecTimeout(specTimeout),
			func(string) []byte { return frame(&packet.Pingreq{}) }),
		Entry("CONNACK", Label("MQTT-4.8.0-1", "MQTT-3.1.0-1"), SpecTimeout(specTimeout),
			func(string) []byte { return frame(&packet.Connack{}) }),
		Entry("reserved type 0", Label("MQTT-4.8.0-1", "MQTT-3.1.0-1"), SpecTimeout(specTimeout),
			func(string) []byte { return []byte{0x00, 0x00} }),
		Entry("reserved type 15", Label("MQTT-4.8.0-1", "MQTT-3.1.0-1"), SpecTimeout(specTimeout),
			func(string) []byte { return []byte{0xf0, 0x00} }),
	)

	DescribeTable("closes a connection that sends a packet no client may send",
		func(ctx SpecContext, b []byte) {
			c := harness.RawSession(client.ConnectOptions{CleanSession: true, KeepAlive: 60})
			Expect(c.SendBytes(b)).To(Succeed())
			Expect(c.ExpectClosed(closeWithin)).To(Succeed())
		},
		Entry("reserved type 0", Label("MQTT-4.8.0-1"), SpecTimeout(specTimeout), []byte{0x00, 0x00}),
		Entry("reserved type 15", Label("MQTT-4.8.0-1"), SpecTimeout(specTimeout), []byte{0xf0, 0x00}),
		Entry("CONNACK", Label("MQTT-4.8.0-1"), SpecTimeout(specTimeout), []byte{0x20, 0x02, 0x00, 0x00}),
		Entry("SUBACK", Label("MQTT-4.8.0-1", "suback-pingresp-from-client"), SpecTimeout(specTimeout), []byte{0x90, 0x03, 0x00, 0x01, 0x00}),
		Entry("PINGRESP", Label("MQTT-4.8.0-1", "suback-pingresp-from-client"), SpecTimeout(specTimeout), []byte{0xd0, 0x00}),
		Entry("PINGREQ with a reserved flag bit", Label("MQTT-2.2.2-2", "pingreq-flags"), SpecTimeout(specTimeout), []byte{0xc1, 0x00}),
		Entry("PINGREQ with the top flag bit", Label("MQTT-2.2.2-2", "pingreq-flags"), SpecTimeout(specTimeout), []byte{0xc8, 0x00}),
	)

	It("closes a connection that sends no CONNECT within the connect timeout it declares",
		Label("connect-timeout"), SpecTimeout(10*time.Second), func(ctx SpecContext) {
			// The standard only says a server should close such a
			// connection "within a reasonable amount of time" (section 3.1,
			// no statement number), so this runs only where the target
			// declares its bound.
			const most = 3 * time.Second
			harness.Require(target.Needs{ConnectTimeout: most})
			timeout := harness.Current().Capabilities().ConnectTimeout
			start := time.Now()
			c := harness.Raw()
			err := c.ExpectClosed(timeout + time.Second)
			took := time.Since(start)
			Expect(err).NotTo(HaveOccurred(), "declared connect timeout %s", timeout)
			Expect(took).To(BeNumerically(">=", timeout-100*time.Millisecond),
				"closed after %s, before the declared connect timeout of %s", took, timeout)
		})

	It("closes only the connection that exceeds the packet size it declares",
		Label("MQTT-4.8.0-2"), SpecTimeout(specTimeout), func(ctx SpecContext) {
			size := harness.Current().Capabilities().Limits.PacketSize
			if size <= 0 || size >= 1<<20 {
				Skip("target declares no packet size bound below 1 MiB")
			}
			topic := client.Topic("big")
			sub := subscriber(topic, 0)
			c := harness.RawSession(client.ConnectOptions{CleanSession: true, KeepAlive: 60})
			// A PUBLISH one byte beyond the bound: fixed header (up to 4
			// bytes) + topic (2 + len) + payload.
			payload := make([]byte, size+1-2-len(topic)-headerLen(size))
			Expect(c.Publish(topic, payload, 0, false, 0)).To(Succeed())
			Expect(c.ExpectClosed(closeWithin)).To(Succeed())

			// Others are unaffected, and the oversized PUBLISH went nowhere.
			Expect(sub.Send(&packet.Pingreq{})).To(Succeed())
			Expect(sub.ExpectPingresp(harness.Timeout)).To(Succeed())
			expectNothingBefore(sub, topic, "the oversized PUBLISH was delivered")
		})
})

// headerLen is the length of the fixed header of a packet of n bytes in
// all, for n large enough that the header's own size hardly matters.
func headerLen(n int) int {
	switch {
	case n < 128+2:
		return 2
	case n < 16384+3:
		return 3
	case n < 2097152+4:
		return 4
	}
	return 5
}
