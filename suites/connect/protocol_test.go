package connect_test

import (
	"errors"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("Protocol name and level", func() {
	DescribeTable("a CONNECT naming another protocol is never served as MQTT 3.1.1",
		func(ctx SpecContext, name string) {
			h := validConnect()
			h.name = name
			c := sendHand(h)
			// The server may drop the connection at once, or handle the
			// CONNECT under some other protocol (MQTT-3.1.2-1); for these
			// names the only other protocol a broker could pick would
			// answer with a refusing CONNACK. What it must never do is
			// accept the client as an MQTT 3.1.1 one.
			p, err := c.Read(closeWithin)
			if err == nil {
				ack, ok := p.(*packet.Connack)
				Expect(ok).To(BeTrue(), "expected the connection closed, got %s", client.Describe(p))
				Expect(ack.ReturnCode).NotTo(Equal(packet.Accepted), "accepted protocol name %q", name)
				err = c.ExpectClosed(closeWithin)
			} else if errors.Is(err, client.ErrClosed) {
				err = nil
			}
			Expect(err).NotTo(HaveOccurred())
		},
		Entry("MQTX", Label("MQTT-3.1.2-1"), SpecTimeout(specTimeout), "MQTX"),
		Entry("lower-case mqtt", Label("MQTT-3.1.2-1"), SpecTimeout(specTimeout), "mqtt"),
		Entry("MQTT with a trailing byte", Label("MQTT-3.1.2-1"), SpecTimeout(specTimeout), "MQTTT"),
	)

	DescribeTable("an unsupported protocol level is refused with CONNACK 1, then the connection is closed",
		func(ctx SpecContext, level byte) {
			// Level 3 (MQTT 3.1) and 5 (MQTT 5) are left out: a broker may
			// support them. No MQTT version ever used these levels.
			c := harness.Raw()
			p := harness.Credentials(client.ConnectOptions{ClientID: client.ClientID("level"), CleanSession: true}).Packet()
			p.ProtocolLevel = level
			Expect(c.Send(p)).To(Succeed())
			expectRefusedThenClosed(c, packet.RefusedProtocolVersion)
		},
		Entry("level 2", Label("MQTT-3.1.2-2", "MQTT-3.2.2-4", "MQTT-3.2.2-5"), SpecTimeout(specTimeout), byte(2)),
		Entry("level 7", Label("MQTT-3.1.2-2", "MQTT-3.2.2-4", "MQTT-3.2.2-5"), SpecTimeout(specTimeout), byte(7)),
		Entry("level 127", Label("MQTT-3.1.2-2", "MQTT-3.2.2-4", "MQTT-3.2.2-5"), SpecTimeout(specTimeout), byte(127)),
	)

	It("refuses an unsupported level with session present 0 even when the client has a stored session",
		Label("MQTT-3.2.2-4", "MQTT-3.1.2-2", "MQTT-3.1.4-3"), SpecTimeout(specTimeout), func(ctx SpecContext) {
			harness.Require(target.Needs{PersistentSessions: true})
			id := client.ClientID("lvl")
			c, _ := harness.Accepted(client.ConnectOptions{ClientID: id, KeepAlive: 60})
			_, err := c.Subscribe(1, 0, harness.Timeout, client.Topic("kept"))
			Expect(err).NotTo(HaveOccurred())
			Expect(c.Disconnect()).To(Succeed())

			r := harness.Raw()
			p := harness.Credentials(client.ConnectOptions{ClientID: id, KeepAlive: 60}).Packet()
			p.ProtocolLevel = 7
			Expect(r.Send(p)).To(Succeed())
			expectRefusedThenClosed(r, packet.RefusedProtocolVersion)

			// Clean session handling follows a successful CONNECT check
			// only (MQTT-3.1.4-3): the refusal left the session alone.
			_, ack := harness.Connect(client.ConnectOptions{ClientID: id, KeepAlive: 60})
			Expect(ack.ReturnCode).To(Equal(packet.Accepted))
			Expect(ack.SessionPresent).To(BeTrue(), "session present after the refused CONNECT")
		})
})
