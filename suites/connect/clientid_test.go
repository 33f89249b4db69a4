package connect_test

import (
	"strconv"
	"strings"

	"github.com/gatomqtt/gatomqtt/harness/client"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// alnum are the characters every server must accept in a client
// identifier (MQTT-3.1.3-5).
const alnum = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// idOfLength returns a client identifier of exactly n letters and digits
// (n ≥ 1): a unique one cut or padded with fill. Identifiers of one or two
// characters cannot be unique per run; specs that use them only read the
// CONNACK, which another run taking over the identifier cannot change.
func idOfLength(n int, fill string) string {
	id := client.ClientID("")
	for len(id) < n {
		id += fill
	}
	if len(id) > n {
		id = id[len(id)-n:]
	}
	return id
}

var _ = Describe("Client identifier", func() {
	DescribeTable("of 1 to 23 letters and digits is accepted",
		func(ctx SpecContext, id func() string) {
			s := id()
			Expect(len(s)).To(BeNumerically(">=", 1))
			Expect(len(s)).To(BeNumerically("<=", 23))
			c, ack := harness.Accepted(client.ConnectOptions{ClientID: s, CleanSession: true, KeepAlive: 60})
			Expect(ack.SessionPresent).To(BeFalse())
			Expect(c.Send(&packet.Pingreq{})).To(Succeed())
			Expect(c.ExpectPingresp(harness.Timeout)).To(Succeed(), "client %q", s)
		},
		Entry("one digit", Label("MQTT-3.1.3-5"), SpecTimeout(specTimeout), func() string { return idOfLength(1, "") }),
		Entry("one upper-case letter", Label("MQTT-3.1.3-5"), SpecTimeout(specTimeout), func() string { return "Q" }),
		Entry("23 mixed-case letters and digits", Label("MQTT-3.1.3-5"), SpecTimeout(specTimeout),
			func() string { return idOfLength(23, "aZ09") }),
		Entry("23 characters, every class at both ends", Label("MQTT-3.1.3-5"), SpecTimeout(specTimeout),
			func() string { return "Za9" + idOfLength(17, "x") + "0zA" }),
		Entry("23 upper-case letters and digits", Label("MQTT-3.1.3-5"), SpecTimeout(specTimeout),
			func() string { return strings.ToUpper(idOfLength(23, "XY")) }),
		Entry("digits and the first letters", Label("MQTT-3.1.3-5"), SpecTimeout(specTimeout),
			func() string { return alnum[:20] + idOfLength(3, "") }),
		Entry("the middle letters", Label("MQTT-3.1.3-5"), SpecTimeout(specTimeout),
			func() string { return alnum[20:40] + idOfLength(3, "") }),
		Entry("the last letters", Label("MQTT-3.1.3-5"), SpecTimeout(specTimeout),
			func() string { return alnum[40:] + idOfLength(1, "") }),
	)

	It("may be empty with clean session 1: each such client gets a session of its own, or both are refused with CONNACK 2",
		Label("MQTT-3.1.3-6", "MQTT-3.1.3-7"), SpecTimeout(specTimeout), func(ctx SpecContext) {
			a, ackA := harness.Connect(client.ConnectOptions{CleanSession: true, KeepAlive: 60})
			b, ackB := harness.Connect(client.ConnectOptions{CleanSession: true, KeepAlive: 60})
			if ackA.ReturnCode != packet.Accepted {
				// Accepting an empty identifier is the server's choice; one
				// that does not must refuse it like any identifier.
				Expect(ackA.ReturnCode).To(Equal(packet.RefusedIdentifierRejected), "CONNACK %s", client.Describe(ackA))
				Expect(ackB.ReturnCode).To(Equal(packet.RefusedIdentifierRejected), "CONNACK %s", client.Describe(ackB))
				Expect(a.ExpectClosed(closeWithin)).To(Succeed())
				Expect(b.ExpectClosed(closeWithin)).To(Succeed())
				return
			}
			Expect(ackB.ReturnCode).To(Equal(packet.Accepted), "CONNACK %s", client.Describe(ackB))
			Expect(ackA.SessionPresent || ackB.SessionPresent).To(BeFalse(), "a clean session has no stored session")

			// Each got an identifier of its own: neither displaced the
			// other (MQTT-3.1.4-2 would close a), and each is served.
			for _, c := range []*client.RawClient{a, b} {
				Expect(c.Send(&packet.Pingreq{})).To(Succeed())
				Expect(c.ExpectPingresp(harness.Timeout)).To(Succeed())
			}
			topic := client.Topic("anon")
			_, err := a.Subscribe(1, 0, harness.Timeout, topic)
			Expect(err).NotTo(HaveOccurred())
			Expect(b.Publish(topic, []byte("from b"), 0, false, 0)).To(Succeed())
			expectPublish(a, topic, "from b")
		})

	It("may not be empty with clean session 0: CONNACK 2, then the connection is closed",
		Label("MQTT-3.1.3-8", "MQTT-3.2.2-4", "MQTT-3.2.2-5"), SpecTimeout(specTimeout), func(ctx SpecContext) {
			c := harness.Raw()
			Expect(c.Send(harness.Credentials(client.ConnectOptions{CleanSession: false, KeepAlive: 60}).Packet())).To(Succeed())
			expectRefusedThenClosed(c, packet.RefusedIdentifierRejected)
		})

	It("beyond what the server accepts is refused with CONNACK 2, then the connection is closed",
		Label("MQTT-3.1.3-9", "MQTT-3.2.2-5"), SpecTimeout(specTimeout), func(ctx SpecContext) {
			// The standard lets a server accept identifiers of any length;
			// a bounded one refuses those beyond its bound. 200 bytes is
			// beyond every board profile's bound and fits in their packets.
			n := 200
			if ps := harness.Current().Capabilities().Limits.PacketSize; ps > 0 && ps < 300 {
				n = ps - 100
			}
			c, ack := harness.Connect(client.ConnectOptions{ClientID: idOfLength(n, "long"), CleanSession: true, KeepAlive: 60})
			if ack.ReturnCode == packet.Accepted {
				Skip("target accepts a client identifier of " + strconv.Itoa(n) + " bytes; it refuses none this spec can provoke")
			}
			Expect(ack.ReturnCode).To(Equal(packet.RefusedIdentifierRejected), "CONNACK %s", client.Describe(ack))
			Expect(ack.SessionPresent).To(BeFalse())
			Expect(c.ExpectClosed(closeWithin)).To(Succeed())
		})
})
