package tlspsk_test

import (
	"io"
	"net"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("a TLS-PSK endpoint facing a client that stalls its handshake", func() {
	// Neither RFC 8446 nor MQTT bounds the handshake, but a server with a
	// fixed number of connections must not let a client that never
	// finishes it hold one forever. MQTT's connect timeout (section 3.1,
	// "a reasonable amount of time", no statement number) is the bound a
	// broker has; where the handshake runs inside the wait for CONNECT it
	// covers the handshake too. So this runs only where the target
	// declares its connect timeout.
	DescribeTable("closes the connection within its connect timeout while other clients carry on",
		func(ctx SpecContext, stall func() []byte) {
			harness.RequirePSK(target.PSKNeeds{})
			const most = 3 * time.Second
			harness.Require(target.Needs{ConnectTimeout: most})
			timeout := harness.Current().Capabilities().ConnectTimeout
			first := stall()

			start := time.Now()
			raw, err := net.DialTimeout("tcp", harness.Current().Endpoints().PSK.Address, harness.Timeout)
			Expect(err).NotTo(HaveOccurred())
			wire := client.NewRecordConn(raw)
			DeferCleanup(func() { _ = wire.Close() }) // closed already when the spec passes
			if len(first) > 0 {
				_, err := wire.Write(first)
				Expect(err).NotTo(HaveOccurred())
			}

			// Meanwhile a well-behaved client gets through.
			other, _ := session()
			Expect(other.Send(&packet.Pingreq{})).To(Succeed())
			Expect(other.ExpectPingresp(harness.Timeout)).To(Succeed())

			err = wire.ExpectClosed(timeout + closeBound)
			took := time.Since(start)
			AddReportEntry("closed after", took.Round(time.Millisecond).String(), ReportEntryVisibilityFailureOrVerbose)
			Expect(err).NotTo(HaveOccurred(), "declared connect timeout %s", timeout)
			if harness.Current().Capabilities().PSK.WaitsForHello {
				// The bytes sent so far are a valid start: a target
				// declaring it waits closes on its connect timeout, not
				// earlier.
				Expect(took).To(BeNumerically(">=", timeout-100*time.Millisecond),
					"closed after %s, before the connect timeout of %s", took, timeout)
			}
			// A server cannot answer half a ClientHello: at most an alert.
			in := wire.In()
			Expect(in.ByType[client.RecordHandshake]).To(BeZero(), "handshake records from the server: %+v", in)
			Expect(in.ByType[client.RecordApplicationData]).To(BeZero(), "protected records from the server: %+v", in)

			// The other client is still served.
			Expect(other.Send(&packet.Pingreq{})).To(Succeed())
			Expect(other.ExpectPingresp(harness.Timeout)).To(Succeed())
		},
		Entry("sending nothing", Label("connect-timeout", "MQTT-3.12.4-1"), SpecTimeout(10*time.Second),
			func() []byte { return nil }),
		Entry("sending half a ClientHello", Label("connect-timeout", "RFC8446-4.1.2", "MQTT-3.12.4-1"), SpecTimeout(10*time.Second),
			func() []byte { ch := clientHelloRecord(); return ch[:len(ch)/2] }),
	)
})

// clientHelloRecord returns the first record a tlspsk client with the
// current target's identity sends: its ClientHello, in one record.
func clientHelloRecord() []byte {
	GinkgoHelper()
	cli, peer := net.Pipe()
	defer peer.Close()
	// Closing peer ends the client's handshake: its read fails.
	go tlspsk.ClientOver(cli, client.PSKConfig(harness.Current().Endpoints().PSK)).Handshake()
	Expect(peer.SetReadDeadline(time.Now().Add(harness.Timeout))).To(Succeed())
	hdr := make([]byte, 5)
	_, err := io.ReadFull(peer, hdr)
	Expect(err).NotTo(HaveOccurred())
	Expect(hdr[0]).To(Equal(byte(client.RecordHandshake)))
	body := make([]byte, int(hdr[3])<<8|int(hdr[4]))
	_, err = io.ReadFull(peer, body)
	Expect(err).NotTo(HaveOccurred())
	return append(hdr, body...)
}
