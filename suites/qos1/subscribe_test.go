package qos1_test

import (
	"context"
	"errors"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("SUBSCRIBE", func() {
	BeforeEach(func() {
		harness.Require(target.Needs{Sessions: 3, QoS: 1, Subscriptions: 4})
	})

	It("is answered by a SUBACK carrying its packet identifier",
		Label("MQTT-3.8.4-1", "MQTT-3.8.4-2", "MQTT-2.3.1-7", "MQTT-2.2.2-1"), within,
		func(ctx SpecContext) {
			c := session()
			topic := client.Topic("subid")
			for _, id := range []uint16{1, 0xBEEF, 0xFFFF} {
				Expect(c.Send(packet.NewSubscribe(id, packet.Filter{Topic: []byte(topic), QoS: 0}))).To(Succeed())
				// SUBACK: fixed header 0x90, remaining length 3, the
				// identifier and the granted QoS 0.
				expectRaw(c, append(packet.AppendUint16(packet.AppendHeader(nil, packet.SUBACK, 0, 3), id), 0))
			}
		})

	It("answers several filters with one SUBACK whose codes follow the filters' order, and all of them deliver",
		Label("MQTT-3.8.4-4", "MQTT-3.8.4-5", "MQTT-3.9.3-1", "MQTT-3.9.3-2"), within,
		func(ctx SpecContext) {
			base := client.Topic("multi")
			want := []packet.QoS{2, 0, 1}
			sub := session()
			var filters []packet.Filter
			for i, q := range want {
				filters = append(filters, packet.Filter{Topic: []byte(base + "/" + string(rune('a'+i))), QoS: q})
			}
			s := packet.NewSubscribe(harness.PacketID(), filters...)
			Expect(sub.Send(s)).To(Succeed())
			ack, err := sub.ExpectSuback(s.PacketID, harness.Timeout)
			Expect(err).NotTo(HaveOccurred())
			Expect(ack.ReturnCodes).To(Equal([]byte{harness.Granted(2), harness.Granted(0), harness.Granted(1)}))

			pub := session()
			for i := range want {
				publish(pub, base+"/"+string(rune('a'+i)), string(rune('a'+i)), 1)
			}
			got := receive(sub, 3)
			Expect(payloads(got)).To(ConsistOf("a", "b", "c"))
			for _, p := range got {
				i := p.Payload[0] - 'a'
				Expect(p.QoS).To(Equal(delivered(1, want[i])), "delivery on filter %d: %s", i, client.Describe(p))
			}
		})

	It("grants a wildcard filter with working matching, or refuses it with 0x80",
		Label("MQTT-3.8.3-2"), within,
		func(ctx SpecContext) {
			base := client.Topic("wild")
			sub := session()
			codes := subscribeCodes(sub, 1, base+"/#")
			pub := session()
			publish(pub, base+"/x/y", "w", 1)
			if codes[0] == packet.SubackFailure {
				// A server without wildcard support must refuse them all.
				expectNothing(sub)
				return
			}
			Expect(payloads(receive(sub, 1))).To(Equal([]string{"w"}))
		})

	It("refuses only the invalid filter of a SUBSCRIBE with 0x80, or closes the connection",
		Label("MQTT-3.8.4-5", "MQTT-4.7.1-2"), within,
		func(ctx SpecContext) {
			base := client.Topic("mixed")
			c := session()
			Expect(c.SendBytes(subscribeBytes(0x02, 77,
				rawFilter{[]byte(base + "/a"), 1},
				rawFilter{[]byte(base + "/#/b"), 1},
				rawFilter{[]byte(base + "/c"), 0},
			))).To(Succeed())
			p, err := c.Read(harness.Timeout)
			if errors.Is(err, client.ErrClosed) {
				// A malformed filter may be treated as a protocol
				// violation; closing is then the outcome (section 4.8).
				return
			}
			Expect(err).NotTo(HaveOccurred())
			Expect(p).To(BeAssignableToTypeOf(&packet.Suback{}), "got %s", client.Describe(p))
			ack := p.(*packet.Suback)
			Expect(ack.PacketID).To(Equal(uint16(77)))
			Expect(ack.ReturnCodes).To(Equal([]byte{harness.Granted(1), packet.SubackFailure, harness.Granted(0)}))
		})

	DescribeTable("an invalid topic filter is refused with 0x80 or the connection closed, never granted",
		func(ctx context.Context, filter func(base string) []byte) {
			base := client.Topic("inv")
			c := session()
			Expect(c.SendBytes(subscribeBytes(0x02, 12, rawFilter{filter(base), 1}))).To(Succeed())
			p, err := c.Read(harness.Timeout)
			if errors.Is(err, client.ErrClosed) {
				return
			}
			Expect(err).NotTo(HaveOccurred())
			Expect(client.Describe(p)).To(Equal(client.Describe(&packet.Suback{PacketID: 12, ReturnCodes: []byte{packet.SubackFailure}})))
		},
		Entry("'#' not last", Label("MQTT-4.7.1-2"), within, func(b string) []byte { return []byte(b + "/#/b") }),
		Entry("'#' inside a level", Label("MQTT-4.7.1-2"), within, func(b string) []byte { return []byte(b + "/a#") }),
		Entry("'#' after '+' in one level", Label("MQTT-4.7.1-2", "MQTT-4.7.1-3"), within, func(b string) []byte { return []byte(b + "/+#") }),
		Entry("'+' before other characters", Label("MQTT-4.7.1-3"), within, func(b string) []byte { return []byte(b + "/a+/b") }),
		Entry("'+' after other characters", Label("MQTT-4.7.1-3"), within, func(b string) []byte { return []byte(b + "/+a") }),
		Entry("an empty filter", Label("MQTT-4.7.3-1"), within, func(string) []byte { return nil }),
		Entry("U+0000 in the filter", Label("MQTT-4.7.3-2", "MQTT-1.5.3-2"), within, func(b string) []byte { return []byte(b + "/a\x00") }),
	)

	DescribeTable("a malformed SUBSCRIBE closes the connection without a SUBACK",
		func(ctx context.Context, frame func(topic string) []byte) {
			topic := client.Topic("badsub")
			c := session()
			Expect(c.SendBytes(frame(topic))).To(Succeed())
			Expect(c.ExpectClosed(closeBound)).To(Succeed())
		},
		Entry("fixed-header flags 0000", Label("MQTT-3.8.1-1", "MQTT-2.2.2-2"), within, func(t string) []byte {
			return subscribeBytes(0x00, 1, rawFilter{[]byte(t), 0})
		}),
		Entry("fixed-header flags 0011", Label("MQTT-3.8.1-1", "MQTT-2.2.2-2"), within, func(t string) []byte {
			return subscribeBytes(0x03, 1, rawFilter{[]byte(t), 0})
		}),
		Entry("fixed-header flags 1010", Label("MQTT-3.8.1-1", "MQTT-2.2.2-2"), within, func(t string) []byte {
			return subscribeBytes(0x0A, 1, rawFilter{[]byte(t), 0})
		}),
		Entry("no topic filter", Label("MQTT-3.8.3-3"), within, func(string) []byte {
			return subscribeBytes(0x02, 1)
		}),
		Entry("requested QoS 3", Label("MQTT-3.8.3-4"), within, func(t string) []byte {
			return subscribeBytes(0x02, 1, rawFilter{[]byte(t), 3})
		}),
		Entry("reserved bit 2 of the requested QoS byte", Label("MQTT-3.8.3-4"), within, func(t string) []byte {
			return subscribeBytes(0x02, 1, rawFilter{[]byte(t), 0x04})
		}),
		Entry("reserved bits 7 and 6 with QoS 1", Label("MQTT-3.8.3-4"), within, func(t string) []byte {
			return subscribeBytes(0x02, 1, rawFilter{[]byte(t), 0xC1})
		}),
		Entry("packet identifier 0", Label("MQTT-2.3.1-1"), within, func(t string) []byte {
			return subscribeBytes(0x02, 0, rawFilter{[]byte(t), 0})
		}),
	)

	DescribeTable("delivers at the lower of the published QoS and the granted QoS",
		func(ctx context.Context, pubQoS, subQoS packet.QoS) {
			harness.Require(target.Needs{QoS: byte(max(pubQoS, subQoS))})
			topic := client.Topic("down")
			sub := subscriber(subQoS, topic)
			publish(session(), topic, "d", pubQoS)
			p := receiveOne(sub)
			Expect(p.QoS).To(Equal(delivered(pubQoS, subQoS)), "delivered %s", client.Describe(p))
		},
		EntryDescription("published at QoS %d, subscribed at QoS %d"),
		Entry(nil, Label("MQTT-3.8.4-6", "MQTT-3.3.4-1"), within, packet.QoS(0), packet.QoS(0)),
		Entry(nil, Label("MQTT-3.8.4-6", "MQTT-3.3.4-1"), within, packet.QoS(0), packet.QoS(1)),
		Entry(nil, Label("MQTT-3.8.4-6", "MQTT-3.3.4-1"), within, packet.QoS(0), packet.QoS(2)),
		Entry(nil, Label("MQTT-3.8.4-6", "MQTT-3.3.4-1"), within, packet.QoS(1), packet.QoS(0)),
		Entry(nil, Label("MQTT-3.8.4-6", "MQTT-3.3.4-1"), within, packet.QoS(1), packet.QoS(1)),
		Entry(nil, Label("MQTT-3.8.4-6", "MQTT-3.3.4-1"), within, packet.QoS(1), packet.QoS(2)),
		Entry(nil, Label("MQTT-3.8.4-6", "MQTT-3.3.4-1"), within, packet.QoS(2), packet.QoS(0)),
		Entry(nil, Label("MQTT-3.8.4-6", "MQTT-3.3.4-1"), within, packet.QoS(2), packet.QoS(1)),
		Entry(nil, Label("MQTT-3.8.4-6", "MQTT-3.3.4-1"), within, packet.QoS(2), packet.QoS(2)),
	)

	DescribeTable("a repeated subscription to the same filter replaces the first one",
		func(ctx context.Context, first, second packet.QoS) {
			harness.Require(target.Needs{QoS: byte(max(first, second))})
			topic := client.Topic("again")
			sub := subscriber(first, topic)
			subscribe(sub, second, topic)
			publish(session(), topic, "once", 2)
			// One subscription, so one copy, at the QoS of the second.
			p := receiveOne(sub)
			Expect(p.QoS).To(Equal(delivered(2, second)), "delivered %s", client.Describe(p))
		},
		Entry("raising QoS 0 to 1", Label("MQTT-3.8.4-3"), within, packet.QoS(0), packet.QoS(1)),
		Entry("lowering QoS 1 to 0", Label("MQTT-3.8.4-3"), within, packet.QoS(1), packet.QoS(0)),
		Entry("raising QoS 1 to 2", Label("MQTT-3.8.4-3"), within, packet.QoS(1), packet.QoS(2)),
		Entry("lowering QoS 2 to 1", Label("MQTT-3.8.4-3"), within, packet.QoS(2), packet.QoS(1)),
	)

	DescribeTable("overlapping subscriptions deliver at the highest QoS among them",
		// The standard lets the server send one copy at the highest QoS or
		// one copy per matching subscription (section 3.3.5): accept
		// either, as long as one copy carries the highest QoS.
		func(ctx context.Context, wildQoS, exactQoS, pubQoS packet.QoS) {
			harness.Require(target.Needs{QoS: byte(max(wildQoS, exactQoS, pubQoS))})
			base := client.Topic("over")
			sub := session()
			subscribe(sub, wildQoS, base+"/#")
			subscribe(sub, exactQoS, base+"/b")
			publish(session(), base+"/b", "o", pubQoS)

			b := harness.NewInbox(sub)
			b.Until(1)
			got := b.Settle()
			GinkgoWriter.Printf("copies: %s\n", harness.DescribeAll(got))
			Expect(len(got)).To(BeNumerically("<=", 2), "at most one copy per subscription: %s", harness.DescribeAll(got))
			best := delivered(pubQoS, max(wildQoS, exactQoS))
			var qos []packet.QoS
			for _, p := range got {
				Expect(string(p.Payload)).To(Equal("o"))
				qos = append(qos, p.QoS)
			}
			Expect(qos).To(ContainElement(best), "copies: %s", harness.DescribeAll(got))
			if len(got) == 2 {
				Expect(qos).To(ConsistOf(delivered(pubQoS, wildQoS), delivered(pubQoS, exactQoS)), "a copy per subscription: %s", harness.DescribeAll(got))
			}
		},
		Entry("a/# at 0 and a/b at 2, published at 2", Label("MQTT-3.3.5-1"), within, packet.QoS(0), packet.QoS(2), packet.QoS(2)),
		Entry("a/# at 2 and a/b at 0, published at 2", Label("MQTT-3.3.5-1", "exact-filter-lower-qos"), within, packet.QoS(2), packet.QoS(0), packet.QoS(2)),
		Entry("a/# at 1 and a/b at 0, published at 1", Label("MQTT-3.3.5-1", "exact-filter-lower-qos"), within, packet.QoS(1), packet.QoS(0), packet.QoS(1)),
	)
})
