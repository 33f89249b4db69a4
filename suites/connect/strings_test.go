package connect_test

import (
	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	"github.com/gatomqtt/gatomqtt/harness/client"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// bom is U+FEFF, zero width no-break space, which a receiver must keep
// as part of a string (MQTT-1.5.3-3).
const bom = "\xef\xbb\xbf"

var _ = Describe("UTF-8 strings", func() {
	// The CONNECT strings are covered under "Malformed CONNECT"; these are
	// the strings of an established connection. The topic name is written
	// by hand because the codec refuses to encode a bad one.
	DescribeTable("a bad string after CONNECT closes the connection, delivering nothing",
		func(ctx SpecContext, bad string, subscribe bool) {
			topic := client.Topic("utf8")
			sub := subscriber(topic+"/#", 0)
			c := harness.RawSession(client.ConnectOptions{CleanSession: true, KeepAlive: 60})
			name := topic + "/" + bad
			var b []byte
			if subscribe {
				body := packet.AppendUint16(nil, 7)
				body = append(packet.AppendString(body, name), 0)
				b = append(packet.AppendHeader(nil, packet.SUBSCRIBE, 0x02, len(body)), body...)
			} else {
				body := append(packet.AppendString(nil, name), "payload"...)
				b = append(packet.AppendHeader(nil, packet.PUBLISH, 0, len(body)), body...)
			}
			Expect(c.SendBytes(b)).To(Succeed())
			Expect(c.ExpectClosed(closeWithin)).To(Succeed())
			expectNothingBefore(sub, topic+"/marker", "a PUBLISH with a bad topic name was delivered")
		},
		Entry("PUBLISH topic with a surrogate", Label("MQTT-1.5.3-1"), SpecTimeout(specTimeout), surrogate, false),
		Entry("PUBLISH topic with an overlong encoding", Label("MQTT-1.5.3-1"), SpecTimeout(specTimeout), overlong, false),
		Entry("PUBLISH topic with a cut character", Label("MQTT-1.5.3-1"), SpecTimeout(specTimeout), cut, false),
		Entry("PUBLISH topic with U+0000", Label("MQTT-1.5.3-2"), SpecTimeout(specTimeout), nul, false),
		Entry("SUBSCRIBE filter with a surrogate", Label("MQTT-1.5.3-1"), SpecTimeout(specTimeout), surrogate, true),
		Entry("SUBSCRIBE filter with U+0000", Label("MQTT-1.5.3-2"), SpecTimeout(specTimeout), nul, true),
	)

	It("keeps U+FEFF as part of a topic name",
		Label("MQTT-1.5.3-3"), SpecTimeout(specTimeout), func(ctx SpecContext) {
			base := client.Topic("bom")
			withBOM := base + "/" + bom + "x"
			without := base + "/x"
			subBOM := subscriber(withBOM, 0)
			subPlain := subscriber(without, 0)

			publishQoS1(withBOM, "zero width")
			p := expectPublish(subBOM, withBOM, "zero width")
			Expect(p.Topic).To(ContainSubstring(bom), "the BOM bytes of the topic")
			expectNothingBefore(subPlain, without, "the topic with U+FEFF matched the filter without it")
		})
})
