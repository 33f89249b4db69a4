package tlspsk_test

import (
	"fmt"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// bigPayload spans several records of the smallest limit the specs ask
// for, and fits the host profile.
const bigPayload = 2048

var _ = Describe("record sizes a small client asks for", func() {
	DescribeTable("are honoured both ways while a large PUBLISH still arrives whole",
		func(ctx SpecContext, needs harness.PSKNeeds, limit int, configure func(*tlspsk.Config)) {
			harness.RequirePSK(needs)
			harness.Require(harness.Needs{PayloadSize: bigPayload, PacketSize: bigPayload + 256, QoS: 1})
			topic := harness.Topic("records")
			sub, subConn := session(configure)
			ack, err := sub.Subscribe(1, 1, harness.Timeout, topic)
			Expect(err).NotTo(HaveOccurred())
			Expect(ack.ReturnCodes).To(Equal([]byte{1}))
			// The publisher is limited too: the server must take a PUBLISH
			// split over many small records.
			pub, pubConn := session(configure)
			// The client's own receive limit is what it asked for; what it
			// may send is its own choice under the server's limit (with
			// max_fragment_length the same value; with record_size_limit
			// the server's own advertisement).
			st := subConn.ConnectionState()
			Expect(st.ReceiveLimit).To(BeNumerically("<=", limit), "client receive limit")
			if st.MaxFragmentLength != 0 {
				Expect(st.SendLimit).To(BeNumerically("<=", limit), "client send limit under max_fragment_length")
			}
			body := payload(bigPayload)
			Expect(pub.Publish(topic, body, 1, false, 7)).To(Succeed())
			Expect(pub.ExpectPuback(7, harness.Timeout)).To(Succeed())
			p, err := sub.ExpectPublish(harness.Timeout)
			Expect(err).NotTo(HaveOccurred())
			Expect(p.Payload).To(Equal(body))
			Expect(sub.Acknowledge(p)).To(Succeed())

			// What the server sent, seen on the wire: no record above the
			// limit (plus content type and tag), and the message split.
			in := subConn.Wire.In()
			AddReportEntry("records to the subscriber", fmt.Sprintf("%d records, largest %d bytes", in.Records, in.MaxLength))
			Expect(in.MaxLength).To(BeNumerically("<=", limit+1+tagBytes), "largest record from the server")
			Expect(in.Records).To(BeNumerically(">", bigPayload/limit), "records from the server")
			Expect(pubConn.Wire.Out().MaxLength).To(BeNumerically("<=", pubConn.ConnectionState().SendLimit+1+tagBytes),
				"largest record to the server")

			if srv, ok := harness.PSKServerState(harness.Current(), sub.Conn().LocalAddr()); ok {
				Expect(srv.SendLimit).To(BeNumerically("<=", limit), "server send limit")
				if srv.MaxFragmentLength != 0 {
					Expect(srv.ReceiveLimit).To(BeNumerically("<=", limit), "server receive limit under max_fragment_length")
				}
			}
		},
		Entry("max_fragment_length 512", Label("RFC6066-4", "MQTT-4.3.2-2"), SpecTimeout(10*time.Second),
			harness.PSKNeeds{MaxFragmentLength: true}, 512, func(c *tlspsk.Config) { c.MaxFragmentLength = 512 }),
		Entry("record_size_limit 513", Label("RFC8449-4", "MQTT-4.3.2-2"), SpecTimeout(10*time.Second),
			harness.PSKNeeds{RecordSizeLimit: true}, 512, func(c *tlspsk.Config) { c.RecordSizeLimit = 513 }),
		Entry("record_size_limit 1025 beside max_fragment_length 512", Label("RFC8449-5", "RFC6066-4"), SpecTimeout(10*time.Second),
			harness.PSKNeeds{RecordSizeLimit: true}, 1024, func(c *tlspsk.Config) { c.MaxFragmentLength = 512; c.RecordSizeLimit = 1025 }),
	)

	It("lets record_size_limit take precedence over max_fragment_length", Label("RFC8449-5"), SpecTimeout(10*time.Second), func(ctx SpecContext) {
		harness.RequirePSK(harness.PSKNeeds{RecordSizeLimit: true, MaxFragmentLength: true})
		_, conn := session(func(c *tlspsk.Config) { c.MaxFragmentLength = 512; c.RecordSizeLimit = 1025 })
		st := conn.ConnectionState()
		// A server that supports record_size_limit ignores
		// max_fragment_length offered beside it, and does not echo it.
		Expect(st.MaxFragmentLength).To(BeZero(), "max_fragment_length echoed beside record_size_limit")
		Expect(st.PeerRecordSizeLimit).To(BeNumerically(">=", tlspsk.MinRecordSizeLimit))
	})
})
