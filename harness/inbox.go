package harness

import (
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness/client"
)

// An Inbox follows the QoS 2 deliveries a raw subscriber has acknowledged
// with PUBREC and not yet seen released, while it acknowledges the rest
// of what arrives as a well-behaved client does.
type Inbox struct {
	c        *client.RawClient
	got      []*packet.Publish
	awaiting map[uint16]bool // QoS 2 identifiers answered with PUBREC
}

// NewInbox returns an Inbox reading c.
func NewInbox(c *client.RawClient) *Inbox {
	return &Inbox{c: c, awaiting: map[uint16]bool{}}
}

// Handle records a PUBLISH and answers it (PUBACK for QoS 1, PUBREC for
// QoS 2) and answers a PUBREL with PUBCOMP. Anything else fails the spec.
func (b *Inbox) Handle(p packet.Packet) {
	ginkgo.GinkgoHelper()
	switch p := p.(type) {
	case *packet.Publish:
		b.got = append(b.got, p)
		switch p.QoS {
		case 1:
			gomega.Expect(b.c.Send(&packet.Puback{PacketID: p.PacketID})).To(gomega.Succeed())
		case 2:
			b.awaiting[p.PacketID] = true
			gomega.Expect(b.c.Send(&packet.Pubrec{PacketID: p.PacketID})).To(gomega.Succeed())
		}
	case *packet.Pubrel:
		gomega.Expect(b.awaiting).To(gomega.HaveKey(p.PacketID), "PUBREL for an identifier the client did not PUBREC")
		delete(b.awaiting, p.PacketID)
		gomega.Expect(b.c.Send(&packet.Pubcomp{PacketID: p.PacketID})).To(gomega.Succeed())
	default:
		ginkgo.Fail("expected no packet but PUBLISH or PUBREL, got " + client.Describe(p))
	}
}

// Until handles packets until n messages have arrived in all and no QoS 2
// exchange waits for its PUBREL, within Timeout.
func (b *Inbox) Until(n int) []*packet.Publish {
	ginkgo.GinkgoHelper()
	deadline := time.Now().Add(Timeout)
	for len(b.got) < n || len(b.awaiting) > 0 {
		p, err := b.c.Read(time.Until(deadline))
		gomega.Expect(err).NotTo(gomega.HaveOccurred(), "waiting for message %d of %d (so far: %s)", len(b.got)+1, n, DescribeAll(b.got))
		b.Handle(p)
	}
	return b.got
}

// ReadUntil handles packets until one satisfies stop, within
// Timeout, and returns that one unhandled.
func (b *Inbox) ReadUntil(what string, stop func(packet.Packet) bool) packet.Packet {
	ginkgo.GinkgoHelper()
	deadline := time.Now().Add(Timeout)
	for {
		p, err := b.c.Read(time.Until(deadline))
		gomega.Expect(err).NotTo(gomega.HaveOccurred(), "waiting for %s (so far: %s)", what, DescribeAll(b.got))
		if stop(p) {
			return p
		}
		b.Handle(p)
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

// fenceState makes the fence state of the running spec, forgotten when
// the spec ends.
func fenceState() {
	if fences.topics != nil {
		return
	}
	fences.topics = map[*client.RawClient]string{}
	ginkgo.DeferCleanup(func() { fences.topics, fences.pub = nil, nil })
}

// Settle handles packets until a fence message arrives and every QoS 2
// exchange is complete, and returns all messages received, fence aside.
func (b *Inbox) Settle() []*packet.Publish {
	ginkgo.GinkgoHelper()
	fenceState()
	topic, ok := fences.topics[b.c]
	if !ok {
		topic = client.Topic("fence")
		id := PacketID()
		gomega.Expect(b.c.Send(packet.NewSubscribe(id, packet.Filter{Topic: []byte(topic), QoS: 1}))).To(gomega.Succeed())
		p := b.ReadUntil("SUBACK for the fence topic", func(p packet.Packet) bool {
			ack, ok := p.(*packet.Suback)
			return ok && ack.PacketID == id
		})
		gomega.Expect(p.(*packet.Suback).ReturnCodes).To(gomega.Equal([]byte{Granted(1)}), "SUBACK for the fence topic")
		fences.topics[b.c] = topic
	}
	if fences.pub == nil {
		fences.pub = RawSession(client.ConnectOptions{CleanSession: true})
	}
	gomega.Expect(fences.pub.PublishWait(topic, []byte("fence"), 1, false, PacketID(), Timeout)).To(gomega.Succeed(), "publishing the fence")
	p := b.ReadUntil("the fence message", func(p packet.Packet) bool {
		pub, ok := p.(*packet.Publish)
		return ok && string(pub.Topic) == topic
	})
	fence := p.(*packet.Publish)
	gomega.Expect(fence.QoS).To(gomega.Equal(packet.QoS(1)), "fence %s", client.Describe(fence))
	gomega.Expect(b.c.Send(&packet.Puback{PacketID: fence.PacketID})).To(gomega.Succeed())
	return b.Until(0)
}

// DescribeAll renders messages for failure messages.
func DescribeAll(ps []*packet.Publish) string {
	if len(ps) == 0 {
		return "none"
	}
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = client.Describe(p)
	}
	return strings.Join(s, ", ")
}
