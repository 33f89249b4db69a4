package qos1_test

import (
	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// resumed is what a resumed session sends at once: its unacknowledged
// deliveries again, the PUBREL of a QoS 2 delivery waiting for PUBCOMP,
// and the messages queued while the client was away.
type resumed struct {
	publishes []*packet.Publish
	pubrels   []uint16
}

// readResumed reads packets until nPub PUBLISH and nRel PUBREL packets
// have arrived, acknowledging nothing. The standard orders messages per
// topic, not PUBREL against PUBLISH, so they are gathered in any order.
func readResumed(c *client.RawClient, nPub, nRel int) resumed {
	GinkgoHelper()
	var r resumed
	for len(r.publishes) < nPub || len(r.pubrels) < nRel {
		p, err := c.Read(harness.Timeout)
		Expect(err).NotTo(HaveOccurred(), "after %s and PUBREL %v", harness.DescribeAll(r.publishes), r.pubrels)
		switch p := p.(type) {
		case *packet.Publish:
			r.publishes = append(r.publishes, p)
		case *packet.Pubrel:
			r.pubrels = append(r.pubrels, p.PacketID)
		default:
			Fail("expected PUBLISH or PUBREL on resumption, got " + client.Describe(p))
		}
	}
	return r
}

// byPayload returns the message with payload among ps, and its index.
func byPayload(ps []*packet.Publish, payload string) (*packet.Publish, int) {
	GinkgoHelper()
	for i, p := range ps {
		if string(p.Payload) == payload {
			return p, i
		}
	}
	Fail("no message " + payload + " among " + harness.DescribeAll(ps))
	return nil, -1
}

var _ = Describe("session state", func() {
	It("of a clean-session-0 client outlives its connection whole: subscriptions, deliveries in flight both ways, and messages queued while it is away",
		Label("MQTT-4.1.0-1", "MQTT-3.1.2-4", "MQTT-3.1.2-5", "MQTT-4.4.0-1", "MQTT-4.3.3-2"), within,
		func(ctx SpecContext) {
			harness.Require(target.Needs{Sessions: 4, QoS: 2, PersistentSessions: true, Inflight: 4, Queued: 2})
			id := harness.PersistentID("p")
			a, b, out := client.Topic("state-a"), client.Topic("state-b"), client.Topic("state-out")
			watcher := subscriber(2, out)
			c, ack := harness.Accepted(client.ConnectOptions{ClientID: id})
			Expect(ack.SessionPresent).To(BeFalse())
			subscribe(c, 1, a)
			subscribe(c, 2, b)
			pub := session()

			// Outgoing state: a QoS 1 delivery not acknowledged, and a QoS
			// 2 delivery acknowledged with PUBREC but not completed.
			publish(pub, a, "in flight", 1)
			inFlight, err := c.ExpectPublish(harness.Timeout)
			Expect(err).NotTo(HaveOccurred())
			publish(pub, b, "released", 2)
			released, err := c.ExpectPublish(harness.Timeout)
			Expect(err).NotTo(HaveOccurred())
			Expect(c.Send(&packet.Pubrec{PacketID: released.PacketID})).To(Succeed())
			Expect(c.ExpectPubrel(released.PacketID, harness.Timeout)).To(Succeed())
			// Incoming state: a QoS 2 PUBLISH from the client answered with
			// PUBREC and not yet released.
			Expect(c.Publish(out, []byte("once"), 2, false, 77)).To(Succeed())
			Expect(c.ExpectPubrec(77, harness.Timeout)).To(Succeed())
			Expect(c.Disconnect()).To(Succeed())

			// Away: the subscriptions keep collecting.
			publish(pub, a, "queued 1", 1)
			publish(pub, b, "queued 2", 2)

			c = resume(id)
			r := readResumed(c, 3, 1)
			again, iAgain := byPayload(r.publishes, "in flight")
			q1, iQ1 := byPayload(r.publishes, "queued 1")
			q2, _ := byPayload(r.publishes, "queued 2")
			// Each part of the state is a statement of its own: compared
			// together, one part gone wrong does not hide the others.
			type state struct {
				InFlightDup      bool     // MQTT-4.4.0-1
				InFlightID       uint16   // MQTT-4.4.0-1
				PubrelsResent    []uint16 // MQTT-4.3.3-2, MQTT-4.4.0-1
				QueuedQoS        []packet.QoS
				InFlightBeforeQ1 bool // MQTT-4.6.0 order per topic
			}
			Expect(state{again.Dup, again.PacketID, r.pubrels, []packet.QoS{q1.QoS, q2.QoS}, iAgain < iQ1}).To(Equal(
				state{true, inFlight.PacketID, []uint16{released.PacketID}, []packet.QoS{1, 2}, true}),
				"resumed with %s and PUBREL %v", harness.DescribeAll(r.publishes), r.pubrels)
			Expect(c.Send(&packet.Puback{PacketID: again.PacketID})).To(Succeed())
			Expect(c.Send(&packet.Pubcomp{PacketID: released.PacketID})).To(Succeed())
			Expect(c.Send(&packet.Puback{PacketID: q1.PacketID})).To(Succeed())
			Expect(c.Send(&packet.Pubrec{PacketID: q2.PacketID})).To(Succeed())
			Expect(c.ExpectPubrel(q2.PacketID, harness.Timeout)).To(Succeed())
			Expect(c.Send(&packet.Pubcomp{PacketID: q2.PacketID})).To(Succeed())

			// The client's own QoS 2 message, sent again as the client must
			// after a reconnect, is still the same message to the server:
			// PUBREC again, and one delivery in all.
			Expect(c.Send(&packet.Publish{Topic: []byte(out), Payload: []byte("once"), QoS: 2, PacketID: 77, Dup: true})).To(Succeed())
			Expect(c.ExpectPubrec(77, harness.Timeout)).To(Succeed())
			Expect(c.Send(&packet.Pubrel{PacketID: 77})).To(Succeed())
			Expect(c.ExpectPubcomp(77, harness.Timeout)).To(Succeed())
			Expect(payloads(receive(watcher, 1))).To(Equal([]string{"once"}))

			// The subscriptions are live again, and nothing else is owed.
			publish(pub, b, "live", 1)
			Expect(payloads(receive(c, 1))).To(Equal([]string{"live"}))
		})

	It("of a clean-session-1 client lasts as long as its connection, while other clients come and go",
		Label("MQTT-4.1.0-2"), within,
		func(ctx SpecContext) {
			harness.Require(target.Needs{Sessions: 4, QoS: 1})
			topic := client.Topic("life")
			s := subscriber(1, topic)
			gets := func(payload string) {
				GinkgoHelper()
				p := receiveOne(s)
				Expect(string(p.Payload)).To(Equal(payload))
				Expect(p.QoS).To(Equal(packet.QoS(1)))
			}

			// A publisher comes, publishes and says goodbye.
			p := session()
			publish(p, topic, "m1", 1)
			Expect(p.Disconnect()).To(Succeed())
			gets("m1")

			// Another client subscribes to the same filter and unsubscribes;
			// a persistent session subscribes to it, goes away, and is
			// discarded by a clean session 1 CONNECT of its identifier.
			o := subscriber(1, topic)
			Expect(o.Send(packet.NewUnsubscribe(5, []byte(topic)))).To(Succeed())
			Expect(o.ExpectUnsuback(5, harness.Timeout)).To(Succeed())
			Expect(o.Disconnect()).To(Succeed())
			id := harness.PersistentID("p")
			pc, _ := harness.Accepted(client.ConnectOptions{ClientID: id})
			subscribe(pc, 1, topic)
			Expect(pc.Disconnect()).To(Succeed())
			pc, _ = harness.Accepted(client.ConnectOptions{ClientID: id, CleanSession: true})
			Expect(pc.Disconnect()).To(Succeed())
			p = session()
			publish(p, topic, "m2", 1)
			// It loses its network connection without DISCONNECT.
			Expect(p.Close()).To(Succeed())
			gets("m2")

			// A client is taken over by a new connection with its
			// identifier, which publishes.
			tid := client.ClientID("take")
			harness.Accepted(client.ConnectOptions{ClientID: tid, CleanSession: true})
			t2, _ := harness.Accepted(client.ConnectOptions{ClientID: tid, CleanSession: true})
			publish(t2, topic, "m3", 1)
			gets("m3")

			// s is still connected and answered.
			Expect(s.Send(&packet.Pingreq{})).To(Succeed())
			Expect(s.ExpectPingresp(harness.Timeout)).To(Succeed())
		})
})
