package connect_test

import (
	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("Authentication", func() {
	BeforeEach(func() { harness.Require(target.Needs{Auth: true}) })

	It("accepts the known user with its password",
		Label("MQTT-3.1.4-4"), SpecTimeout(specTimeout), func(ctx SpecContext) {
			cr := harness.Current().Capabilities().Credentials
			_, ack := harness.Accepted(client.ConnectOptions{ClientID: client.ClientID("user"), CleanSession: true,
				Username: cr.Name, Password: cr.Password})
			Expect(ack.SessionPresent).To(BeFalse())
		})

	// Which of the two codes a server picks for bad credentials is its own
	// choice: 4 (bad user name or password) says what was wrong, 5 (not
	// authorized) tells a prober less, and mosquitto sends 5. Either way
	// the acknowledge flags are 0, the connection is closed, and a PUBLISH
	// sent right behind the CONNECT is not acted on.
	DescribeTable("refuses bad credentials with CONNACK 4 or 5, acting on nothing after it",
		func(ctx SpecContext, creds func(known target.User) (user, password string)) {
			o := client.ConnectOptions{ClientID: client.ClientID("bad"), CleanSession: true}
			o.Username, o.Password = creds(*harness.Current().Capabilities().Credentials)
			if o.Username == "" {
				harness.Require(target.Needs{NoAnonymous: true})
			}
			topic := client.Topic("auth")
			sub := subscriber(topic, 0)
			out := append(frame(o.Packet()), frame(&packet.Publish{Topic: []byte(topic), Payload: []byte("intruder")})...)
			c := harness.Raw()
			Expect(c.SendBytes(out)).To(Succeed())

			b, err := c.ReadRaw(harness.Timeout)
			Expect(err).NotTo(HaveOccurred(), "expected a refusing CONNACK")
			Expect(b).To(HaveLen(4), "CONNACK % x", b)
			Expect(b[:3]).To(Equal([]byte{0x20, 0x02, 0x00}), "CONNACK % x: header and session present 0", b)
			Expect(b[3]).To(BeElementOf(byte(packet.RefusedBadUsernamePassword), byte(packet.RefusedNotAuthorized)),
				"CONNACK return code")
			Expect(c.ExpectClosed(closeWithin)).To(Succeed())
			expectNothingBefore(sub, topic, "the PUBLISH of the refused client was delivered")
		},
		Entry("wrong password", Label("MQTT-3.2.2-4", "MQTT-3.2.2-5", "MQTT-3.1.4-5"), SpecTimeout(specTimeout),
			func(u target.User) (string, string) { return u.Name, u.Password + "x" }),
		Entry("unknown user", Label("MQTT-3.2.2-4", "MQTT-3.2.2-5", "MQTT-3.1.4-5"), SpecTimeout(specTimeout),
			func(u target.User) (string, string) { return u.Name + "x", u.Password }),
		Entry("known user without its password", Label("MQTT-3.2.2-4", "MQTT-3.2.2-5", "MQTT-3.1.4-5"), SpecTimeout(specTimeout),
			func(u target.User) (string, string) { return u.Name, "" }),
		Entry("no user name where anonymous clients are refused", Label("MQTT-3.2.2-4", "MQTT-3.2.2-5", "MQTT-3.1.4-5"), SpecTimeout(specTimeout),
			func(target.User) (string, string) { return "", "" }),
	)
})
