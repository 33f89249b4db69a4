package tlspsk_test

import (
	"errors"
	"net"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("a TLS-PSK endpoint refusing a client", func() {
	// RFC 8446 section 6.2 names decrypt_error for a PSK binder that does
	// not verify, and allows unknown_psk_identity or decrypt_error for an
	// unknown identity (this project's server sends decrypt_error, so that
	// identities cannot be listed, unless told to reveal them); a server
	// may also fall back to certificate authentication, which fails for a
	// client that offers none (OpenSSL 3.0 in mosquitto answers
	// missing_extension then, and illegal_parameter to a wrong key). What
	// matters to MQTT, the abort before any protected record, expectRefused
	// checks for every target; the alert itself is checked against what
	// the target declares: exactly where it declares one, as one of them
	// where its peer's setting, unknown to the target, chooses among
	// several.

	It("refuses a wrong key before any MQTT byte", Label("RFC8446-4.2.11", "RFC8446-4.2.11.2", "RFC8446-6.2"), SpecTimeout(10*time.Second), func(ctx SpecContext) {
		harness.RequirePSK(target.PSKNeeds{})
		alert := expectRefused(func(c *tlspsk.Config) {
			c.PSK.Key = append([]byte(nil), c.PSK.Key...)
			c.PSK.Key[0] ^= 0x80
		})
		expectDeclared(alert, declaredAlerts().WrongKey)
	})

	It("refuses an unknown identity before any MQTT byte", Label("RFC8446-4.2.11", "RFC8446-6.2"), SpecTimeout(10*time.Second), func(ctx SpecContext) {
		harness.RequirePSK(target.PSKNeeds{})
		alert := expectRefused(func(c *tlspsk.Config) { c.PSK.Identity = "unknown-" + client.ClientID("") })
		expectDeclared(alert, declaredAlerts().UnknownIdentity)
	})

	It("refuses psk_ke alone where it takes only psk_dhe_ke", Label("RFC8446-4.2.9"), SpecTimeout(10*time.Second), func(ctx SpecContext) {
		harness.RequirePSK(target.PSKNeeds{})
		if harness.Current().Capabilities().PSK.Missing(target.PSKNeeds{PSKKE: true}, "") == nil {
			Skip("target " + harness.Current().Name() + " accepts psk_ke")
		}
		alert := expectRefused(pskKE)
		expectDeclared(alert, declaredAlerts().ModeRefused)
	})

	It("never answers plain MQTT on the TLS port", Label("RFC8446-5", "RFC8446-5.1"), SpecTimeout(10*time.Second), func(ctx SpecContext) {
		harness.RequirePSK(target.PSKNeeds{})
		conn, err := net.DialTimeout("tcp", harness.Current().Endpoints().PSK.Address, harness.Timeout)
		Expect(err).NotTo(HaveOccurred())
		wire := client.NewRecordConn(conn)
		c := client.NewRawClient(wire)
		// A CONNECT starts with byte 0x10, no TLS record type: the server
		// must end the connection (RFC 8446 section 5: unexpected_message),
		// at most with an alert, and never with a CONNACK.
		err = c.Send(client.ConnectOptions{ClientID: client.ClientID("plain"), CleanSession: true}.Packet())
		if err != nil && !errors.Is(err, client.ErrClosed) {
			Fail(err.Error())
		}
		Expect(wire.ExpectClosed(closeBound)).To(Succeed())
		in := wire.In()
		for typ := range in.ByType {
			Expect(typ).To(Equal(byte(client.RecordAlert)), "the server answered plain MQTT with %+v", in)
		}
	})
})
