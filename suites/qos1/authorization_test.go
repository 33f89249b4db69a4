package qos1_test

import (
	"errors"
	"path"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// answerOrClose sends p, when not nil, and reads the server's next packet,
// which must be want with identifier id (id 0: any) unless the server
// closes the connection instead. It reports whether it closed.
func answerOrClose(c *client.RawClient, p packet.Packet, want packet.Type, id uint16) (closed bool) {
	GinkgoHelper()
	if p != nil {
		err := c.Send(p)
		if errors.Is(err, client.ErrClosed) {
			return true
		}
		Expect(err).NotTo(HaveOccurred())
	}
	got, err := c.Read(harness.Timeout)
	if errors.Is(err, client.ErrClosed) {
		return true
	}
	Expect(err).NotTo(HaveOccurred(), "waiting for %s %d or the connection closed", want, id)
	Expect(got.Type()).To(Equal(want), "got %s, want %s %d or the connection closed", client.Describe(got), want, id)
	if id != 0 {
		Expect(ackID(got)).To(Equal(id), "got %s", client.Describe(got))
	}
	return false
}

// ackID is the packet identifier of an acknowledgement.
func ackID(p packet.Packet) uint16 {
	switch p := p.(type) {
	case *packet.Puback:
		return p.PacketID
	case *packet.Pubrec:
		return p.PacketID
	case *packet.Pubcomp:
		return p.PacketID
	}
	return 0
}

// publishDenied publishes to a topic the client may not publish to and
// follows the flow its QoS calls for, as far as the server goes: a server
// that does not let a client publish cannot say so in MQTT 3.1.1, and
// either acknowledges as usual or closes the connection (MQTT-3.3.5-2);
// both are accepted. It reports whether the server closed.
func publishDenied(c *client.RawClient, topic string, qos packet.QoS, retain bool) (closed bool) {
	GinkgoHelper()
	id := uint16(0)
	if qos > 0 {
		id = harness.PacketID()
	}
	err := c.Publish(topic, []byte("denied"), qos, retain, id)
	if errors.Is(err, client.ErrClosed) {
		return true
	}
	Expect(err).NotTo(HaveOccurred())
	switch qos {
	case 0:
		// Nothing to acknowledge: the PINGRESP shows that the server has
		// read the PUBLISH, as it answers a client's packets in order.
		return answerOrClose(c, &packet.Pingreq{}, packet.PINGRESP, 0)
	case 1:
		return answerOrClose(c, nil, packet.PUBACK, id)
	default:
		return answerOrClose(c, nil, packet.PUBREC, id) ||
			answerOrClose(c, &packet.Pubrel{PacketID: id}, packet.PUBCOMP, id)
	}
}

var _ = Describe("publishing to a topic the client may not publish to", func() {
	BeforeEach(func() {
		harness.Require(target.Needs{DeniedTopic: true, Sessions: 4})
	})

	DescribeTable("is acknowledged as its QoS requires, or the connection closed, and not delivered",
		Label("MQTT-3.3.5-2"),
		func(ctx SpecContext, qos packet.QoS) {
			harness.Require(target.Needs{QoS: byte(qos)})
			topic := harness.DeniedTopic("write")
			// Subscribing is allowed below the denied prefix: by the exact
			// name and by a wildcard, so that no route escapes the check.
			sub := subscriber(2, topic, path.Dir(topic)+"/+")
			pub := session()
			closed := publishDenied(pub, topic, qos, false)
			// The fence comes after the server took the PUBLISH: a
			// delivery would be in front of it.
			expectNothing(sub)
			if !closed {
				// The connection goes on: an allowed PUBLISH is taken.
				publish(pub, client.Topic("after"), "allowed", qos)
			}
		},
		Entry("at QoS 0", within, packet.QoS(0)),
		Entry("at QoS 1", within, packet.QoS(1)),
		Entry("at QoS 2", within, packet.QoS(2)),
	)

	DescribeTable("with the retain flag, is not retained either",
		Label("MQTT-3.3.5-2"),
		func(ctx SpecContext, qos packet.QoS) {
			harness.Require(target.Needs{QoS: byte(qos), Retain: true})
			topic := harness.DeniedTopic("retain")
			publishDenied(session(), topic, qos, true)
			late := session()
			ack, early, err := late.SubscribeCollect(harness.PacketID(), 1, harness.Timeout, topic)
			Expect(err).NotTo(HaveOccurred())
			Expect(ack.ReturnCodes).To(Equal([]byte{harness.Granted(1)}), "SUBACK below the denied prefix")
			Expect(early).To(BeEmpty(), "retained %s", harness.DescribeAll(early))
			// A retained message would be sent right after the SUBACK,
			// ahead of the fence.
			expectNothing(late)
		},
		Entry("at QoS 0", within, packet.QoS(0)),
		Entry("at QoS 1", within, packet.QoS(1)),
	)
})
