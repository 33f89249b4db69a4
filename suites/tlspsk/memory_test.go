package tlspsk_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"
	"github.com/gatomqtt/gatomqtt/harness/target/inproc"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("bytes per TLS-PSK connection", func() {
	// The ceiling is tlspsk.BufferBytes for the record limit the client
	// asks for: a receive and a send buffer of header + limit + content
	// type + tag (32812 bytes at the protocol's 16 KiB records, 1068 at
	// 512). The client's figure is measured with Conn.BufferBytes once an
	// MQTT CONNECT has been answered, the server's likewise on targets that
	// expose it (inproc).
	DescribeTable("stay under the record buffers the negotiated limit needs",
		func(ctx SpecContext, needs target.PSKNeeds, limit int, configure ...func(*tlspsk.Config)) {
			harness.RequirePSK(needs)
			cctx, cancel := context.WithTimeout(ctx, harness.Timeout)
			defer cancel()
			conn, err := client.DialPSKConn(cctx, harness.Current().Endpoints().PSK, configure...)
			if conn != nil {
				DeferCleanup(conn.Close)
			}
			Expect(err).NotTo(HaveOccurred())
			// The raw client reads the TLS connection directly: nothing but
			// this spec holds buffers on the client side.
			connectPSK(client.NewRawClient(conn))

			st := conn.ConnectionState()
			ceiling := tlspsk.BufferBytes(limit)
			client := conn.BufferBytes()
			name := fmt.Sprintf("%s %s %s limit %d", st.KeyExchangeMode, st.Group, st.CipherSuite, limit)
			harness.Figure("TLS-PSK client buffer bytes, "+name, client)
			fmt.Fprintf(GinkgoWriter, "%s: client %d bytes, ceiling %d\n", name, client, ceiling)
			Expect(client).To(BeNumerically("<=", ceiling))
			Expect(client).To(BeNumerically(">", 0))

			// The server's send buffer follows the client's request; its
			// receive buffer too under max_fragment_length, which binds
			// both directions, but not under record_size_limit, where the
			// server advertises its own receive limit.
			if srv, ok := inproc.PSKServerState(harness.Current(), conn.LocalAddr()); ok {
				server, ok := inproc.PSKServerBufferBytes(harness.Current(), conn.LocalAddr())
				Expect(ok).To(BeTrue(), "server connection gone")
				harness.Figure("TLS-PSK server buffer bytes, "+name, server)
				fmt.Fprintf(GinkgoWriter, "%s: server %d bytes (send %d, receive %d)\n", name, server, srv.SendLimit, srv.ReceiveLimit)
				Expect(srv.SendLimit).To(BeNumerically("<=", limit), "server send limit")
				Expect(server).To(BeNumerically("<=", recordBuffer(srv.SendLimit)+recordBuffer(srv.ReceiveLimit)))
				if st.PeerRecordSizeLimit == 0 {
					Expect(server).To(BeNumerically("<=", ceiling))
				}
			}
		},
		Entry("psk_dhe_ke X25519, full records", Label("memory", "RFC8446-5.1"), SpecTimeout(10*time.Second),
			target.PSKNeeds{Group: tlspsk.X25519}, tlspsk.MaxPlaintext, dhe(tlspsk.X25519)),
		Entry("psk_dhe_ke P-256, full records", Label("memory", "RFC8446-5.1"), SpecTimeout(10*time.Second),
			target.PSKNeeds{Group: tlspsk.P256}, tlspsk.MaxPlaintext, dhe(tlspsk.P256)),
		Entry("psk_ke, full records", Label("memory", "RFC8446-5.1"), SpecTimeout(10*time.Second),
			target.PSKNeeds{PSKKE: true}, tlspsk.MaxPlaintext, pskKE),
		Entry("psk_dhe_ke X25519, max_fragment_length 512", Label("memory", "RFC6066-4"), SpecTimeout(10*time.Second),
			target.PSKNeeds{Group: tlspsk.X25519, MaxFragmentLength: true}, 512, dhe(tlspsk.X25519), mfl512),
		Entry("psk_dhe_ke P-256, max_fragment_length 512", Label("memory", "RFC6066-4"), SpecTimeout(10*time.Second),
			target.PSKNeeds{Group: tlspsk.P256, MaxFragmentLength: true}, 512, dhe(tlspsk.P256), mfl512),
		Entry("psk_ke, max_fragment_length 512", Label("memory", "RFC6066-4"), SpecTimeout(10*time.Second),
			target.PSKNeeds{PSKKE: true, MaxFragmentLength: true}, 512, pskKE, mfl512),
		Entry("psk_dhe_ke X25519, record_size_limit 513", Label("memory", "RFC8449-4"), SpecTimeout(10*time.Second),
			target.PSKNeeds{Group: tlspsk.X25519, RecordSizeLimit: true}, 512, dhe(tlspsk.X25519), rsl513),
	)
})

// recordBuffer is one direction's share of tlspsk.BufferBytes.
func recordBuffer(limit int) int { return tlspsk.BufferBytes(limit) / 2 }

func mfl512(c *tlspsk.Config) { c.MaxFragmentLength = 512 }
func rsl513(c *tlspsk.Config) { c.RecordSizeLimit = 513 }
