package tlspsk_test

import (
	"fmt"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"
	"github.com/gatomqtt/gatomqtt/harness/target/inproc"

	"github.com/gatomqtt/gatomqtt/broker/packet"
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
		func(ctx SpecContext, needs target.PSKNeeds, limit int, configure func(*tlspsk.Config)) {
			harness.RequirePSK(needs)
			harness.Require(target.Needs{PayloadSize: bigPayload, PacketSize: bigPayload + 256, QoS: 1})
			topic := client.Topic("records")
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
			AddReportEntry("records to the subscriber", fmt.Sprintf("%d records, largest %d bytes", in.Records, in.MaxLength), ReportEntryVisibilityFailureOrVerbose)
			Expect(in.MaxLength).To(BeNumerically("<=", limit+1+tagBytes), "largest record from the server")
			Expect(in.Records).To(BeNumerically(">", bigPayload/limit), "records from the server")
			Expect(pubConn.Wire.Out().MaxLength).To(BeNumerically("<=", pubConn.ConnectionState().SendLimit+1+tagBytes),
				"largest record to the server")

			if srv, ok := inproc.PSKServerState(harness.Current(), sub.Conn().LocalAddr()); ok {
				Expect(srv.SendLimit).To(BeNumerically("<=", limit), "server send limit")
				if srv.MaxFragmentLength != 0 {
					Expect(srv.ReceiveLimit).To(BeNumerically("<=", limit), "server receive limit under max_fragment_length")
				}
			}
		},
		Entry("max_fragment_length 512", Label("RFC6066-4", "MQTT-4.3.2-2"), SpecTimeout(10*time.Second),
			target.PSKNeeds{MaxFragmentLength: true}, 512, func(c *tlspsk.Config) { c.MaxFragmentLength = 512 }),
		Entry("record_size_limit 513", Label("RFC8449-4", "MQTT-4.3.2-2"), SpecTimeout(10*time.Second),
			target.PSKNeeds{RecordSizeLimit: true}, 512, func(c *tlspsk.Config) { c.RecordSizeLimit = 513 }),
		Entry("record_size_limit 1025 beside max_fragment_length 512", Label("RFC8449-5", "RFC6066-4"), SpecTimeout(10*time.Second),
			target.PSKNeeds{RecordSizeLimit: true}, 1024, func(c *tlspsk.Config) { c.MaxFragmentLength = 512; c.RecordSizeLimit = 1025 }),
	)

	It("lets record_size_limit take precedence over max_fragment_length", Label("RFC8449-5"), SpecTimeout(10*time.Second), func(ctx SpecContext) {
		harness.RequirePSK(target.PSKNeeds{RecordSizeLimit: true, MaxFragmentLength: true})
		_, conn := session(func(c *tlspsk.Config) { c.MaxFragmentLength = 512; c.RecordSizeLimit = 1025 })
		st := conn.ConnectionState()
		// A server that supports record_size_limit ignores
		// max_fragment_length offered beside it, and does not echo it.
		Expect(st.MaxFragmentLength).To(BeZero(), "max_fragment_length echoed beside record_size_limit")
		Expect(st.PeerRecordSizeLimit).To(BeNumerically(">=", tlspsk.MinRecordSizeLimit))
	})
})

var _ = Describe("a client offering record_size_limit to a server that ignores it", func() {
	// RFC 8449 section 4: the limit binds the server only when it answers
	// with its own record_size_limit. A server that does not know the
	// extension (OpenSSL 3.0, so mosquitto) answers nothing and may send
	// records of 2^14 bytes; the client must take them. Targets whose
	// server honours the extension cannot show this and skip.
	It("still receives full-size records", Label("RFC8449-4", "MQTT-4.3.2-2"), SpecTimeout(10*time.Second), func(ctx SpecContext) {
		harness.RequirePSK(target.PSKNeeds{})
		if harness.Current().Capabilities().PSK.RecordSizeLimit {
			Skip("target " + harness.Current().Name() + " honours record_size_limit, so it cannot show a server ignoring it " +
				"(mosquitto, on OpenSSL 3.0, does)")
		}
		const limit, size = 512, 4096
		harness.Require(target.Needs{PayloadSize: size, PacketSize: size + 256, QoS: 1})
		topic := client.Topic("rsl-ignored")
		sub, subConn := session(rsl513)
		st := subConn.ConnectionState()
		Expect(st.PeerRecordSizeLimit).To(BeZero(), "the server answered record_size_limit: it does not ignore it")
		Expect(st.ReceiveLimit).To(Equal(tlspsk.MaxPlaintext), "client receive limit with the request unanswered")
		Expect(st.SendLimit).To(BeNumerically("<=", limit), "the client sends within what it asked for")
		// The documented figure: a full receive buffer beside the send
		// buffer of the size asked for.
		Expect(subConn.BufferBytes()).To(Equal(recordBuffer(tlspsk.MaxPlaintext)+recordBuffer(limit)), "client buffer bytes")
		ack, err := sub.Subscribe(1, 1, harness.Timeout, topic)
		Expect(err).NotTo(HaveOccurred())
		Expect(ack.ReturnCodes).To(Equal([]byte{1}))

		pub, _ := session()
		body := payload(size)
		Expect(pub.Publish(topic, body, 1, false, 3)).To(Succeed())
		Expect(pub.ExpectPuback(3, harness.Timeout)).To(Succeed())
		p, err := sub.ExpectPublish(harness.Timeout)
		Expect(err).NotTo(HaveOccurred())
		Expect(p.Payload).To(Equal(body))
		Expect(sub.Acknowledge(p)).To(Succeed())

		in := subConn.Wire.In()
		AddReportEntry("records to the subscriber", fmt.Sprintf("%d records, largest %d bytes", in.Records, in.MaxLength), ReportEntryVisibilityFailureOrVerbose)
		Expect(in.MaxLength).To(BeNumerically(">", limit+1+tagBytes),
			"the server kept under the limit it ignored, so this spec showed nothing")
		Expect(subConn.Wire.Out().MaxLength).To(BeNumerically("<=", limit+1+tagBytes), "largest record from the client")

		// The connection goes on after the large record.
		Expect(sub.Send(&packet.Pingreq{})).To(Succeed())
		Expect(sub.ExpectPingresp(harness.Timeout)).To(Succeed())
	})
})
