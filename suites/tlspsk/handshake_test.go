package tlspsk_test

import (
	"slices"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/target"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("the TLS-PSK handshake", func() {
	DescribeTable("completes in each key exchange mode and carries an MQTT session",
		func(ctx SpecContext, needs target.PSKNeeds, mode tlspsk.KeyExchangeMode, group tlspsk.Group, configure func(*tlspsk.Config)) {
			harness.RequirePSK(needs)
			c, conn := harness.RawPSK(configure)
			st := conn.ConnectionState()
			Expect(st.KeyExchangeMode).To(Equal(mode))
			// In psk_ke the server sends no key_share, so no group.
			Expect(st.Group).To(Equal(group))
			Expect(st.Identity).To(Equal(harness.Current().Endpoints().PSK.Identity))
			connectPSK(c)
			Expect(c.Send(&packet.Pingreq{})).To(Succeed())
			Expect(c.ExpectPingresp(harness.Timeout)).To(Succeed())
		},
		Entry("psk_dhe_ke over X25519", Label("RFC8446-4.2.9", "RFC8446-4.2.8", "MQTT-3.1.4-4", "MQTT-3.2.0-1", "MQTT-3.12.4-1"), SpecTimeout(10*time.Second),
			target.PSKNeeds{Group: tlspsk.X25519}, tlspsk.KeyExchangePSKDHE, tlspsk.X25519, dhe(tlspsk.X25519)),
		Entry("psk_dhe_ke over P-256", Label("RFC8446-4.2.9", "RFC8446-4.2.8", "MQTT-3.1.4-4", "MQTT-3.2.0-1", "MQTT-3.12.4-1"), SpecTimeout(10*time.Second),
			target.PSKNeeds{Group: tlspsk.P256}, tlspsk.KeyExchangePSKDHE, tlspsk.P256, dhe(tlspsk.P256)),
		Entry("psk_ke", Label("RFC8446-4.2.9", "MQTT-3.1.4-4", "MQTT-3.2.0-1", "MQTT-3.12.4-1"), SpecTimeout(10*time.Second),
			target.PSKNeeds{PSKKE: true}, tlspsk.KeyExchangePSK, tlspsk.Group(0), pskKE),
	)

	DescribeTable("negotiates each cipher suite and carries an MQTT session",
		func(ctx SpecContext, suite tlspsk.CipherSuite) {
			harness.RequirePSK(target.PSKNeeds{Suite: suite})
			c, conn := harness.RawPSK(func(c *tlspsk.Config) { c.CipherSuites = []tlspsk.CipherSuite{suite} })
			Expect(conn.ConnectionState().CipherSuite).To(Equal(suite))
			connectPSK(c)
			Expect(c.Send(&packet.Pingreq{})).To(Succeed())
			Expect(c.ExpectPingresp(harness.Timeout)).To(Succeed())
		},
		Entry("TLS_AES_128_GCM_SHA256", Label("RFC8446-B.4", "RFC8446-4.1.1", "MQTT-3.1.4-4", "MQTT-3.12.4-1"), SpecTimeout(10*time.Second), tlspsk.TLS_AES_128_GCM_SHA256),
		Entry("TLS_AES_128_CCM_SHA256", Label("RFC8446-B.4", "RFC8446-4.1.1", "MQTT-3.1.4-4", "MQTT-3.12.4-1"), SpecTimeout(10*time.Second), tlspsk.TLS_AES_128_CCM_SHA256),
		Entry("TLS_AES_128_CCM_8_SHA256", Label("RFC8446-B.4", "RFC8446-4.1.1", "MQTT-3.1.4-4", "MQTT-3.12.4-1"), SpecTimeout(10*time.Second), tlspsk.TLS_AES_128_CCM_8_SHA256),
	)

	It("lets the server choose when the client offers both modes", Label("RFC8446-4.2.9"), SpecTimeout(10*time.Second), func(ctx SpecContext) {
		harness.RequirePSK(target.PSKNeeds{})
		c, conn := harness.RawPSK(func(c *tlspsk.Config) {
			c.KeyExchangeModes = []tlspsk.KeyExchangeMode{tlspsk.KeyExchangePSK, tlspsk.KeyExchangePSKDHE}
		})
		// Either mode is allowed; the choice is the server's (OpenSSL and
		// this project's server prefer psk_dhe_ke). Whatever it picked,
		// the group must match it.
		st := conn.ConnectionState()
		Expect(st.KeyExchangeMode).To(BeElementOf(tlspsk.KeyExchangePSK, tlspsk.KeyExchangePSKDHE))
		if st.KeyExchangeMode == tlspsk.KeyExchangePSKDHE {
			Expect(st.Group).NotTo(BeZero())
		} else {
			Expect(st.Group).To(BeZero())
		}
		AddReportEntry("mode chosen", st.KeyExchangeMode.String(), ReportEntryVisibilityFailureOrVerbose)
		connectPSK(c)
	})

	It("asks for another key share with HelloRetryRequest when the client's share is in a group it does not take",
		Label("RFC8446-4.1.4", "RFC8446-4.2.8", "MQTT-3.1.4-4"), SpecTimeout(10*time.Second), func(ctx SpecContext) {
			harness.RequirePSK(target.PSKNeeds{})
			taken := harness.Current().Capabilities().PSK.Groups
			var first, retry tlspsk.Group
			for _, g := range []tlspsk.Group{tlspsk.X25519, tlspsk.P256} {
				if slices.Contains(taken, g) {
					retry = g
				} else {
					first = g
				}
			}
			if first == 0 || retry == 0 {
				Skip("target " + harness.Current().Name() + " takes key shares in every group the client knows, so no " +
					"HelloRetryRequest can be provoked (try the target inproc?psk_groups=p256)")
			}
			c, conn := harness.RawPSK(func(c *tlspsk.Config) { c.Groups = []tlspsk.Group{first, retry} })
			st := conn.ConnectionState()
			Expect(st.DidHelloRetryRequest).To(BeTrue(), "a share in %v only", first)
			Expect(st.Group).To(Equal(retry))
			connectPSK(c)
		})
})
