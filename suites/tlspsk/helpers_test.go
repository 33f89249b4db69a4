package tlspsk_test

import (
	"errors"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// closeBound is how long a server that refused a handshake may take to
// close the connection.
const closeBound = 2 * time.Second

// tagBytes is the largest AEAD expansion of the suites in use; with the
// inner content-type byte it is what a protected record adds to its
// plaintext on the wire (no padding is expected).
const tagBytes = 16

// modes are the key exchange configurations a client may offer alone.
func dhe(g tlspsk.Group) func(*tlspsk.Config) {
	return func(c *tlspsk.Config) {
		c.KeyExchangeModes = []tlspsk.KeyExchangeMode{tlspsk.KeyExchangePSKDHE}
		c.Groups = []tlspsk.Group{g}
	}
}

func pskKE(c *tlspsk.Config) {
	c.KeyExchangeModes = []tlspsk.KeyExchangeMode{tlspsk.KeyExchangePSK}
}

// connectPSK completes an accepted clean-session CONNECT over the raw
// client c of a TLS-PSK connection.
func connectPSK(c *client.RawClient) {
	GinkgoHelper()
	ack := harness.ConnectOn(c, client.ConnectOptions{ClientID: client.ClientID("psk"), CleanSession: true, KeepAlive: 30})
	Expect(ack.ReturnCode).To(Equal(packet.Accepted), "CONNACK over TLS-PSK")
}

// session returns a raw client over the target's PSK endpoint configured
// by configure, connected at the MQTT level, and its TLS connection.
func session(configure ...func(*tlspsk.Config)) (*client.RawClient, *client.PSKConn) {
	GinkgoHelper()
	c, conn := harness.RawPSK(configure...)
	connectPSK(c)
	return c, conn
}

// expectRefused runs a handshake the server must refuse, and checks the
// outcome RFC 8446 section 4.2.11 demands whatever the alert: the server
// aborts with a fatal alert, sends no protected record (so no MQTT byte,
// no CONNACK, could have reached the client) and closes the connection.
// It returns the alert.
func expectRefused(configure func(*tlspsk.Config)) tlspsk.Alert {
	GinkgoHelper()
	c, err := harness.PSKHandshake(configure)
	var ae *tlspsk.AlertError
	Expect(errors.As(err, &ae)).To(BeTrue(), "handshake error %v, want a fatal alert from the server", err)
	Expect(c.Wire.ExpectClosed(closeBound)).To(Succeed())
	in := c.Wire.In()
	Expect(in.ByType[client.RecordApplicationData]).To(BeZero(),
		"protected records (which would carry MQTT) from a server that refused the PSK: %+v", in)
	Expect(in.ByType[client.RecordAlert]).To(Equal(1), "alert records from the server: %+v", in)
	AddReportEntry("alert", ae.Alert.String(), ReportEntryVisibilityFailureOrVerbose)
	return ae.Alert
}

// declaredAlerts are the refusal alerts the current target declares.
func declaredAlerts() target.PSKAlerts { return harness.Current().Capabilities().PSK.Alerts }

// expectDeclared checks a refusal's alert against those the target
// declares for it: exactly the one where it declares one, any of them
// where it declares several (its peer's choice depends on a setting the
// target does not know), and any alert but close_notify where it
// declares none.
func expectDeclared(got tlspsk.Alert, declared target.AlertSet) {
	GinkgoHelper()
	if declared.Empty() {
		Expect(got).NotTo(Equal(tlspsk.AlertCloseNotify), "a refusal must be a fatal alert")
		return
	}
	peer := harness.Current().Capabilities().Peer
	if one, ok := declared.Only(); ok {
		Expect(got).To(Equal(one), "the alert %s declares", peer)
		return
	}
	Expect(declared.Has(got)).To(BeTrue(), "alert %s, want one of those %s declares: %s", got, peer, declared)
}

// payload returns n bytes that differ from record to record.
func payload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + i%26)
	}
	return b
}
