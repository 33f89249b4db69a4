package qos1_test

import (
	"context"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// publishAll sends one PUBLISH per payload, identifiers 1 to
// len(payloads), back to back as far as the target's in-flight limit
// allows, and completes every acknowledgement exchange, in whatever order
// the server answers. A bounded server may refuse a client more incoming
// QoS 2 exchanges awaiting PUBREL than its in-flight limit, so at most
// that many are left open at once.
func publishAll(c *client.RawClient, topic string, payloads []string, qos packet.QoS) {
	GinkgoHelper()
	window := len(payloads)
	if l := harness.Current().Capabilities().Limits.Inflight; qos == 2 && l < window {
		window = l
	}
	sent, open := 0, 0
	send := func() {
		for sent < len(payloads) && (qos < 2 || open < window) {
			id := uint16(0)
			if qos > 0 {
				id = uint16(sent + 1)
			}
			Expect(c.Publish(topic, []byte(payloads[sent]), qos, false, id)).To(Succeed())
			sent++
			if qos == 2 {
				open++
			}
		}
	}
	send()
	if qos == 0 {
		return
	}
	done := map[uint16]bool{}
	for len(done) < len(payloads) {
		p, err := c.Read(harness.Timeout)
		Expect(err).NotTo(HaveOccurred(), "%d of %d exchanges complete", len(done), len(payloads))
		switch p := p.(type) {
		case *packet.Puback:
			Expect(qos).To(Equal(packet.QoS(1)), "got %s", client.Describe(p))
			done[p.PacketID] = true
		case *packet.Pubrec:
			Expect(qos).To(Equal(packet.QoS(2)), "got %s", client.Describe(p))
			Expect(c.Send(&packet.Pubrel{PacketID: p.PacketID})).To(Succeed())
		case *packet.Pubcomp:
			Expect(qos).To(Equal(packet.QoS(2)), "got %s", client.Describe(p))
			done[p.PacketID] = true
			open--
			send()
		default:
			Fail("publisher expected acknowledgements, got " + client.Describe(p))
		}
	}
	for id := range done {
		Expect(id).To(And(BeNumerically(">=", 1), BeNumerically("<=", len(payloads))), "acknowledged id")
	}
}

var _ = Describe("ordering and packet identifiers", func() {
	BeforeEach(func() {
		harness.Require(target.Needs{Sessions: 3, QoS: 1})
	})

	DescribeTable("forwards the messages of one publisher on one topic in the order received",
		func(ctx context.Context, qos packet.QoS) {
			harness.Require(target.Needs{QoS: byte(qos)})
			n := 20
			// A target with small queues may not hold 20 messages for a
			// subscriber that reads only once they are all published.
			if l := harness.Current().Capabilities().Limits; l.Inflight+l.Queued < n {
				n = l.Inflight + l.Queued
			}
			topic := client.Topic("seq")
			sub := subscriber(qos, topic)
			want := numbered("n", n)
			publishAll(session(), topic, want, qos)
			got := receive(sub, n)
			Expect(payloads(got)).To(Equal(want))
			for _, p := range got {
				Expect(p.QoS).To(Equal(qos), "%s", client.Describe(p))
			}
		},
		Entry("QoS 0", Label("MQTT-4.6.0-5", "MQTT-4.6.0-6"), within, packet.QoS(0)),
		Entry("QoS 1", Label("MQTT-4.6.0-5", "MQTT-4.6.0-6"), within, packet.QoS(1)),
		Entry("QoS 2", Label("MQTT-4.6.0-5", "MQTT-4.6.0-6"), within, packet.QoS(2)),
	)

	It("gives the messages in flight to one client distinct non-zero identifiers",
		Label("MQTT-2.3.1-1", "MQTT-2.3.1-4", "MQTT-4.3.2-1", "MQTT-4.3.3-1"), within,
		func(ctx SpecContext) {
			n := 10
			if l := harness.Current().Capabilities().Limits.Inflight; l < n {
				n = l // beyond the in-flight limit, later ones wait their turn
			}
			maxQoS := packet.QoS(harness.Current().Capabilities().MaxQoS)
			topic := client.Topic("ids")
			sub := subscriber(maxQoS, topic)
			pub := session()
			for i, m := range numbered("i", n) {
				// QoS 1 and QoS 2 deliveries share one identifier space.
				publish(pub, topic, m, packet.QoS(1+i%int(maxQoS)))
			}
			got := expectPublishes(sub, n)
			seen := map[uint16]string{}
			for _, p := range got {
				Expect(p.PacketID).NotTo(BeZero(), "%s", client.Describe(p))
				Expect(seen).NotTo(HaveKey(p.PacketID), "%s while %q is in flight with that identifier", client.Describe(p), seen[p.PacketID])
				seen[p.PacketID] = string(p.Payload)
			}
			Expect(payloads(got)).To(Equal(numbered("i", n)))
			b := harness.NewInbox(sub)
			for _, p := range got {
				b.Handle(p)
			}
			b.Until(n)
			expectNothing(sub)
		})

})
