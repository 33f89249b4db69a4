package qos1_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Bounds shared by the specs. quiet is how long "nothing arrives" is
// watched for where a fence cannot prove it (see fences): short, because
// the whole run of every suite must stay within seconds, and enough on
// loopback, where a delivery the server meant to make arrives within a
// millisecond or two.
var (
	within     = SpecTimeout(10 * time.Second)
	quiet      = 200 * time.Millisecond
	closeBound = 2 * time.Second
)

// session returns a raw client with an accepted clean session.
func session() *client.RawClient {
	GinkgoHelper()
	return harness.RawSession(client.ConnectOptions{CleanSession: true})
}

// delivered is the QoS a message published at pub reaches a subscription
// requested at sub with: the lower of the publication's and the grant
// (MQTT-3.8.4-6).
func delivered(pub, sub packet.QoS) packet.QoS {
	return min(pub, packet.QoS(harness.Granted(sub)))
}

// subscribeCodes sends one SUBSCRIBE asking qos for every filter and
// returns the SUBACK's codes, after checking what every SUBACK must be:
// the SUBSCRIBE's identifier (MQTT-3.8.4-2), one code per filter
// (MQTT-3.8.4-5) and only the codes 0, 1, 2 and 0x80 (MQTT-3.9.3-2).
func subscribeCodes(c *client.RawClient, qos packet.QoS, filters ...string) []byte {
	GinkgoHelper()
	ack, err := c.Subscribe(harness.PacketID(), qos, harness.Timeout, filters...)
	Expect(err).NotTo(HaveOccurred())
	Expect(ack.ReturnCodes).To(HaveLen(len(filters)), "one SUBACK code per filter of %q", filters)
	for _, code := range ack.ReturnCodes {
		Expect(code).To(Or(BeNumerically("<=", 2), Equal(packet.SubackFailure)), "SUBACK code")
	}
	return ack.ReturnCodes
}

// subscribe subscribes c to filters at qos and expects every one granted.
func subscribe(c *client.RawClient, qos packet.QoS, filters ...string) {
	GinkgoHelper()
	codes := subscribeCodes(c, qos, filters...)
	for i, code := range codes {
		Expect(code).To(Equal(harness.Granted(qos)), "SUBACK code for %q", filters[i])
	}
}

// subscriber returns a new clean session subscribed to filters at qos.
func subscriber(qos packet.QoS, filters ...string) *client.RawClient {
	GinkgoHelper()
	c := session()
	subscribe(c, qos, filters...)
	return c
}

// publish sends a PUBLISH and waits for the acknowledgement its QoS
// calls for, completing a QoS 2 exchange: once it returns, the server
// owns the message. No other packet may arrive on c meanwhile.
func publish(c *client.RawClient, topic, payload string, qos packet.QoS) {
	GinkgoHelper()
	id := uint16(0)
	if qos > 0 {
		id = harness.PacketID()
	}
	Expect(c.Publish(topic, []byte(payload), qos, false, id)).To(Succeed())
	switch qos {
	case 1:
		Expect(c.ExpectPuback(id, harness.Timeout)).To(Succeed())
	case 2:
		Expect(c.ExpectPubrec(id, harness.Timeout)).To(Succeed())
		Expect(c.Send(&packet.Pubrel{PacketID: id})).To(Succeed())
		Expect(c.ExpectPubcomp(id, harness.Timeout)).To(Succeed())
	}
}

// receive reads exactly n messages on c, acknowledging them, and checks
// that no more follow.
func receive(c *client.RawClient, n int) []*packet.Publish {
	GinkgoHelper()
	b := harness.NewInbox(c)
	b.Until(n)
	got := b.Settle()
	Expect(got).To(HaveLen(n), "messages received: %s", harness.DescribeAll(got))
	return got
}

// receiveOne reads exactly one message on c, acknowledging it.
func receiveOne(c *client.RawClient) *packet.Publish {
	GinkgoHelper()
	return receive(c, 1)[0]
}

// expectNothing checks that nothing more is on its way to any of cs.
func expectNothing(cs ...*client.RawClient) {
	GinkgoHelper()
	for _, c := range cs {
		Expect(harness.NewInbox(c).Settle()).To(BeEmpty())
	}
}

// expectNoPublishOn reads what arrives on c for quiet and fails on a
// PUBLISH to topic, ignoring everything else (for subscribers to filters
// such as "#" that see the traffic of other specs). QoS 1 and 2 traffic
// is acknowledged so that the server keeps sending.
func expectNoPublishOn(c *client.RawClient, topic string) {
	GinkgoHelper()
	b := harness.NewInbox(c)
	deadline := time.Now().Add(quiet)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return
		}
		p, err := c.Read(left)
		if errors.Is(err, client.ErrTimeout) {
			return
		}
		Expect(err).NotTo(HaveOccurred())
		if pub, ok := p.(*packet.Publish); ok {
			Expect(string(pub.Topic)).NotTo(Equal(topic), "delivered %s", client.Describe(pub))
		}
		b.Handle(p)
	}
}

// payloads lists the payloads of ps as strings.
func payloads(ps []*packet.Publish) []string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p.Payload)
	}
	return s
}

// numbered returns "prefix-0" ... "prefix-(n-1)".
func numbered(prefix string, n int) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprintf("%s-%d", prefix, i)
	}
	return s
}

// Builders of packets the codec refuses to encode, byte by byte.

// publishBytes encodes a PUBLISH with the given fixed-header flags; the
// packet identifier is written when the QoS bits are not 00.
func publishBytes(flags byte, topic []byte, id uint16, payload string) []byte {
	n := 2 + len(topic) + len(payload)
	if flags&0x06 != 0 {
		n += 2
	}
	b := packet.AppendHeader(nil, packet.PUBLISH, flags, n)
	b = packet.AppendBytes(b, topic)
	if flags&0x06 != 0 {
		b = packet.AppendUint16(b, id)
	}
	return append(b, payload...)
}

// rawFilter is a SUBSCRIBE filter with its requested-QoS byte as sent.
type rawFilter struct {
	topic   []byte
	options byte
}

// subscribeBytes encodes a SUBSCRIBE with the given fixed-header flags.
func subscribeBytes(flags byte, id uint16, filters ...rawFilter) []byte {
	n := 2
	for _, f := range filters {
		n += 2 + len(f.topic) + 1
	}
	b := packet.AppendHeader(nil, packet.SUBSCRIBE, flags, n)
	b = packet.AppendUint16(b, id)
	for _, f := range filters {
		b = packet.AppendBytes(b, f.topic)
		b = append(b, f.options)
	}
	return b
}

// unsubscribeBytes encodes an UNSUBSCRIBE with the given fixed-header
// flags.
func unsubscribeBytes(flags byte, id uint16, filters ...string) []byte {
	n := 2
	for _, f := range filters {
		n += 2 + len(f)
	}
	b := packet.AppendHeader(nil, packet.UNSUBSCRIBE, flags, n)
	b = packet.AppendUint16(b, id)
	for _, f := range filters {
		b = packet.AppendString(b, f)
	}
	return b
}

// ackBytes is the encoding every acknowledgement the server sends must
// have: type, the flags of the table in section 2.2.2, remaining length
// 2 and the identifier (MQTT-2.2.2-1).
func ackBytes(t packet.Type, id uint16) []byte {
	flags := byte(0)
	if t == packet.PUBREL {
		flags = 2
	}
	return packet.AppendUint16(packet.AppendHeader(nil, t, flags, 2), id)
}

// expectRaw reads the next packet as bytes and expects exactly want.
func expectRaw(c *client.RawClient, want []byte) {
	GinkgoHelper()
	got, err := c.ReadRaw(harness.Timeout)
	Expect(err).NotTo(HaveOccurred(), "expected % x", want)
	Expect(got).To(Equal(want), "expected % x, got % x", want, got)
}
