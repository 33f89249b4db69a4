package qos1_test

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
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

var idCounter atomic.Uint32

// nextID returns a packet identifier not used before in this process
// (wrapping after 65535, never 0).
func nextID() uint16 { return uint16(idCounter.Add(1)%65535 + 1) }

// withCredentials fills in the target's credentials, as RawSession does.
func withCredentials(o client.ConnectOptions) client.ConnectOptions {
	if cr := harness.Current().Capabilities().Credentials; cr != nil && o.Username == "" {
		o.Username, o.Password = cr.Name, cr.Password
	}
	return o
}

// session returns a raw client with an accepted clean session.
func session() *client.RawClient {
	GinkgoHelper()
	return harness.RawSession(client.ConnectOptions{CleanSession: true})
}

// connect opens a raw connection, sends CONNECT with o and expects it
// accepted, returning the CONNACK for its session present flag.
func connect(o client.ConnectOptions) (*client.RawClient, *packet.Connack) {
	GinkgoHelper()
	c := harness.Raw()
	ack, err := c.Connect(withCredentials(o), harness.Timeout)
	Expect(err).NotTo(HaveOccurred())
	Expect(ack.ReturnCode).To(Equal(packet.Accepted), "CONNACK for %q", o.ClientID)
	return c, ack
}

// persistentID returns a fresh client identifier for a clean-session-0
// spec and arranges for its session to be discarded when the spec ends
// (a clean-session-1 connect with the same identifier), so that stored
// sessions do not pile up on a target with few of them.
func persistentID() string {
	id := client.ClientID("p")
	target := harness.Current()
	DeferCleanup(func() {
		c, err := client.Dial(target)
		if err != nil {
			return
		}
		defer c.Close()
		o := withCredentials(client.ConnectOptions{ClientID: id, CleanSession: true})
		if _, err := c.Connect(o, harness.Timeout); err == nil {
			_ = c.Disconnect()
		}
	})
	return id
}

// granted is the SUBACK code expected for a request of qos: the target
// grants what is asked up to the highest QoS it declares.
func granted(qos packet.QoS) byte {
	if m := harness.Current().Capabilities().MaxQoS; byte(qos) > m {
		return m
	}
	return byte(qos)
}

// delivered is the QoS a message published at pub reaches a subscription
// requested at sub with: the lower of the publication's and the grant
// (MQTT-3.8.4-6).
func delivered(pub, sub packet.QoS) packet.QoS {
	return min(pub, packet.QoS(granted(sub)))
}

// subscribeCodes sends one SUBSCRIBE asking qos for every filter and
// returns the SUBACK's codes, after checking what every SUBACK must be:
// the SUBSCRIBE's identifier (MQTT-3.8.4-2), one code per filter
// (MQTT-3.8.4-5) and only the codes 0, 1, 2 and 0x80 (MQTT-3.9.3-2).
func subscribeCodes(c *client.RawClient, qos packet.QoS, filters ...string) []byte {
	GinkgoHelper()
	ack, err := c.Subscribe(nextID(), qos, harness.Timeout, filters...)
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
		Expect(code).To(Equal(granted(qos)), "SUBACK code for %q", filters[i])
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
		id = nextID()
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

// inbox follows the QoS 2 deliveries a raw subscriber has acknowledged
// with PUBREC and not yet seen released, while it acknowledges the rest
// of what arrives as a well-behaved client does.
type inbox struct {
	c        *client.RawClient
	got      []*packet.Publish
	awaiting map[uint16]bool // QoS 2 identifiers answered with PUBREC
}

func newInbox(c *client.RawClient) *inbox {
	return &inbox{c: c, awaiting: map[uint16]bool{}}
}

// handle records a PUBLISH and answers it (PUBACK for QoS 1, PUBREC for
// QoS 2) and answers a PUBREL with PUBCOMP. Anything else fails the spec.
func (b *inbox) handle(p packet.Packet) {
	GinkgoHelper()
	switch p := p.(type) {
	case *packet.Publish:
		b.got = append(b.got, p)
		switch p.QoS {
		case 1:
			Expect(b.c.Send(&packet.Puback{PacketID: p.PacketID})).To(Succeed())
		case 2:
			b.awaiting[p.PacketID] = true
			Expect(b.c.Send(&packet.Pubrec{PacketID: p.PacketID})).To(Succeed())
		}
	case *packet.Pubrel:
		Expect(b.awaiting).To(HaveKey(p.PacketID), "PUBREL for an identifier the client did not PUBREC")
		delete(b.awaiting, p.PacketID)
		Expect(b.c.Send(&packet.Pubcomp{PacketID: p.PacketID})).To(Succeed())
	default:
		Fail("expected no packet but PUBLISH or PUBREL, got " + client.Describe(p))
	}
}

// until handles packets until n messages have arrived in all and no QoS 2
// exchange waits for its PUBREL, within harness.Timeout.
func (b *inbox) until(n int) []*packet.Publish {
	GinkgoHelper()
	deadline := time.Now().Add(harness.Timeout)
	for len(b.got) < n || len(b.awaiting) > 0 {
		p, err := b.c.Read(time.Until(deadline))
		Expect(err).NotTo(HaveOccurred(), "waiting for message %d of %d (so far: %s)", len(b.got)+1, n, describe(b.got))
		b.handle(p)
	}
	return b.got
}

// readUntil handles packets until one satisfies stop, within
// harness.Timeout, and returns that one unhandled.
func (b *inbox) readUntil(what string, stop func(packet.Packet) bool) packet.Packet {
	GinkgoHelper()
	deadline := time.Now().Add(harness.Timeout)
	for {
		p, err := b.c.Read(time.Until(deadline))
		Expect(err).NotTo(HaveOccurred(), "waiting for %s (so far: %s)", what, describe(b.got))
		if stop(p) {
			return p
		}
		b.handle(p)
	}
}

// Fences prove that nothing more is on its way to a client without
// waiting for a timeout: the client subscribes to a topic of its own, a
// message is published there, and everything the server routed to the
// client before that message arrives before it. Servers route a message
// when they receive it and send each client's messages in the order
// routed, so a stray delivery routed before the fence shows up in front
// of it. The fence is QoS 1, so that it queues behind QoS 1 and 2
// deliveries waiting for an in-flight slot; a client whose in-flight
// window is full cannot be fenced, and specs leave it room. The fences
// of a spec take one session and one subscription per fenced client,
// counted in what specs Require.
var fences struct {
	topics map[*client.RawClient]string // per client of the running spec
	pub    *client.RawClient            // publishes the fences, made on first use
}

var _ = BeforeEach(func() {
	fences.topics = map[*client.RawClient]string{}
	fences.pub = nil
})

// settle handles packets until a fence message arrives and every QoS 2
// exchange is complete, and returns all messages received, fence aside.
func (b *inbox) settle() []*packet.Publish {
	GinkgoHelper()
	topic, ok := fences.topics[b.c]
	if !ok {
		topic = client.Topic("fence")
		id := nextID()
		Expect(b.c.Send(packet.NewSubscribe(id, packet.Filter{Topic: []byte(topic), QoS: 1}))).To(Succeed())
		p := b.readUntil("SUBACK for the fence topic", func(p packet.Packet) bool {
			ack, ok := p.(*packet.Suback)
			return ok && ack.PacketID == id
		})
		Expect(p.(*packet.Suback).ReturnCodes).To(Equal([]byte{granted(1)}), "SUBACK for the fence topic")
		fences.topics[b.c] = topic
	}
	if fences.pub == nil {
		fences.pub = session()
	}
	publish(fences.pub, topic, "fence", 1)
	p := b.readUntil("the fence message", func(p packet.Packet) bool {
		pub, ok := p.(*packet.Publish)
		return ok && string(pub.Topic) == topic
	})
	fence := p.(*packet.Publish)
	Expect(fence.QoS).To(Equal(packet.QoS(1)), "fence %s", client.Describe(fence))
	Expect(b.c.Send(&packet.Puback{PacketID: fence.PacketID})).To(Succeed())
	return b.until(0)
}

// receive reads exactly n messages on c, acknowledging them, and checks
// that no more follow.
func receive(c *client.RawClient, n int) []*packet.Publish {
	GinkgoHelper()
	b := newInbox(c)
	b.until(n)
	got := b.settle()
	Expect(got).To(HaveLen(n), "messages received: %s", describe(got))
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
		Expect(newInbox(c).settle()).To(BeEmpty())
	}
}

// expectNoPublishOn reads what arrives on c for quiet and fails on a
// PUBLISH to topic, ignoring everything else (for subscribers to filters
// such as "#" that see the traffic of other specs). QoS 1 and 2 traffic
// is acknowledged so that the server keeps sending.
func expectNoPublishOn(c *client.RawClient, topic string) {
	GinkgoHelper()
	b := newInbox(c)
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
		b.handle(p)
	}
}

// describe renders messages for failure messages.
func describe(ps []*packet.Publish) string {
	if len(ps) == 0 {
		return "none"
	}
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = client.Describe(p)
	}
	return strings.Join(s, ", ")
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
