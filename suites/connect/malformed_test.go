package connect_test

import (
	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	"github.com/gatomqtt/gatomqtt/harness/client"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Byte sequences a well-formed UTF-8 string never holds (MQTT-1.5.3-1) or
// that the standard forbids in strings (MQTT-1.5.3-2).
const (
	surrogate = "\xed\xa0\x80" // U+D800 encoded as if it were a character
	overlong  = "\xc0\xaf"     // '/' in two bytes instead of one
	cut       = "\xe2\x82"     // the first two bytes of a three-byte character
	nul       = "\x00"
)

var _ = Describe("Malformed CONNECT", func() {
	// Every CONNECT here breaks one rule of section 3.1 and nothing else:
	// the server must close the connection without sending a CONNACK
	// (MQTT-3.1.4-1 and the statement each entry names). Client-side
	// statements ride along to say which rule the client broke.
	DescribeTable("is answered by closing the connection without CONNACK",
		func(ctx SpecContext, spoil func(h *handConnect)) {
			h := validConnect()
			spoil(&h)
			c := sendHand(h)
			Expect(c.ExpectClosed(closeWithin)).To(Succeed())
		},
		Entry("reserved connect flag set", Label("MQTT-3.1.2-3", "MQTT-3.1.4-1"), SpecTimeout(specTimeout),
			func(h *handConnect) { h.flags |= flagReserved }),
		Entry("reserved fixed-header flag set", Label("MQTT-2.2.2-2", "MQTT-3.1.4-1"), SpecTimeout(specTimeout),
			func(h *handConnect) { h.headerFlags = 0x01 }),
		Entry("will QoS 3", Label("MQTT-3.1.4-1", "MQTT-3.1.2-14"), SpecTimeout(specTimeout),
			func(h *handConnect) { withWill(h, client.Topic("will"), flagWillQoS1|flagWillQoS2) }),
		Entry("will QoS 1 without the will flag", Label("MQTT-3.1.4-1", "MQTT-3.1.2-13", "MQTT-3.1.2-11"), SpecTimeout(specTimeout),
			func(h *handConnect) { h.flags |= flagWillQoS1 }),
		Entry("will QoS 2 without the will flag", Label("MQTT-3.1.4-1", "MQTT-3.1.2-13", "MQTT-3.1.2-11"), SpecTimeout(specTimeout),
			func(h *handConnect) { h.flags |= flagWillQoS2 }),
		Entry("will retain without the will flag", Label("MQTT-3.1.4-1", "MQTT-3.1.2-15", "MQTT-3.1.2-11"), SpecTimeout(specTimeout),
			func(h *handConnect) { h.flags |= flagRetain }),
		Entry("will flag without will topic and message", Label("MQTT-3.1.4-1", "MQTT-3.1.2-9"), SpecTimeout(specTimeout),
			func(h *handConnect) { h.flags |= flagWill; h.user = nil; h.flags &^= flagUsername | flagPassword }),
		Entry("password without the user name flag", Label("MQTT-3.1.4-1", "MQTT-3.1.2-22"), SpecTimeout(specTimeout),
			func(h *handConnect) {
				h.flags = h.flags&^flagUsername | flagPassword
				h.user = [][]byte{[]byte("secret")}
			}),
		Entry("user name flag without a user name", Label("MQTT-3.1.4-1", "MQTT-3.1.2-19"), SpecTimeout(specTimeout),
			func(h *handConnect) { h.flags = h.flags&^flagPassword | flagUsername; h.user = nil }),
		Entry("password flag without a password", Label("MQTT-3.1.4-1", "MQTT-3.1.2-21"), SpecTimeout(specTimeout),
			func(h *handConnect) {
				h.flags |= flagUsername | flagPassword
				h.user = [][]byte{[]byte("someone")}
			}),
		Entry("no client identifier", Label("MQTT-3.1.4-1", "MQTT-3.1.3-3"), SpecTimeout(specTimeout),
			func(h *handConnect) { h.noClientID, h.user = true, nil; h.flags &^= flagUsername | flagPassword }),

		Entry("client identifier with a surrogate", Label("MQTT-1.5.3-1", "MQTT-3.1.4-1", "MQTT-3.1.3-4"), SpecTimeout(specTimeout),
			func(h *handConnect) { h.clientID = append(h.clientID, surrogate...) }),
		Entry("client identifier with an overlong encoding", Label("MQTT-1.5.3-1", "MQTT-3.1.4-1", "MQTT-3.1.3-4"), SpecTimeout(specTimeout),
			func(h *handConnect) { h.clientID = append(h.clientID, overlong...) }),
		Entry("client identifier with a cut character", Label("MQTT-1.5.3-1", "MQTT-3.1.4-1", "MQTT-3.1.3-4"), SpecTimeout(specTimeout),
			func(h *handConnect) { h.clientID = append(h.clientID, cut...) }),
		Entry("client identifier with U+0000", Label("MQTT-1.5.3-2", "MQTT-3.1.4-1"), SpecTimeout(specTimeout),
			func(h *handConnect) { h.clientID = append(h.clientID, nul...) }),
		Entry("will topic with a surrogate", Label("MQTT-1.5.3-1", "MQTT-3.1.4-1", "MQTT-3.1.3-10"), SpecTimeout(specTimeout),
			func(h *handConnect) { withWill(h, client.Topic("will")+surrogate, 0) }),
		Entry("will topic with U+0000", Label("MQTT-1.5.3-2", "MQTT-3.1.4-1"), SpecTimeout(specTimeout),
			func(h *handConnect) { withWill(h, client.Topic("will")+nul, 0) }),
		Entry("user name with a surrogate", Label("MQTT-1.5.3-1", "MQTT-3.1.4-1", "MQTT-3.1.3-11"), SpecTimeout(specTimeout),
			func(h *handConnect) { withUser(h, "user"+surrogate) }),
		Entry("user name with U+0000", Label("MQTT-1.5.3-2", "MQTT-3.1.4-1"), SpecTimeout(specTimeout),
			func(h *handConnect) { withUser(h, "user"+nul) }),
	)

	It("acts on nothing sent after a refused CONNECT",
		Label("MQTT-3.1.4-5", "MQTT-3.1.3-8", "MQTT-3.2.2-5"), SpecTimeout(specTimeout), func(ctx SpecContext) {
			topic := client.Topic("after-refusal")
			sub := subscriber(topic, 0)

			// Empty client identifier with clean session 0: refused with
			// CONNACK 2 (MQTT-3.1.3-8). The PUBLISH rides in the same write,
			// so it reaches the server before the connection is closed.
			bad := harness.Credentials(client.ConnectOptions{KeepAlive: 60}).Packet()
			out := append(frame(bad), frame(&packet.Publish{Topic: []byte(topic), Payload: []byte("ignored")})...)
			c := harness.Raw()
			Expect(c.SendBytes(out)).To(Succeed())
			expectRefusedThenClosed(c, packet.RefusedIdentifierRejected)
			expectNothingBefore(sub, topic, "the PUBLISH after the refused CONNECT was delivered")
		})
})

// withWill gives h a will on topic with the extra will flag bits qosBits
// (QoS and retain bits as sent), keeping the target's credentials after
// the will fields.
func withWill(h *handConnect, topic string, qosBits byte) {
	h.flags |= flagWill | qosBits
	h.will = [][]byte{[]byte(topic), []byte("gone")}
}

// withUser replaces h's credentials with user name name and, when the
// target knows credentials, its password.
func withUser(h *handConnect, name string) {
	h.flags |= flagUsername
	h.user = [][]byte{[]byte(name)}
	if cr := harness.Current().Capabilities().Credentials; cr != nil {
		h.user = append(h.user, []byte(cr.Password))
	}
}
