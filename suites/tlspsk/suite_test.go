// Package tlspsk_test checks a target's MQTT-over-TLS-1.3 endpoint
// authenticated by external pre-shared keys (RFC 8446 with PSKs only): the
// handshake in each key exchange mode (section 4.2.9), group (4.2.8) and
// cipher suite, HelloRetryRequest (4.1.4), refusal of a wrong key or an
// unknown identity before any application data (4.2.11), the record size
// extensions small devices ask for (RFC 6066 max_fragment_length, RFC 8449
// record_size_limit) and a client whose record_size_limit the server
// ignores, KeyUpdate in the middle of a session (RFC 8446 section 4.6.3),
// connections that stall their handshake, MQTT sessions carried over it
// (connect, publish/subscribe at QoS 0 and 1, retained messages, wills),
// and the bytes of record buffers a connection holds.
//
// Specs are labelled with the RFC section they exercise ("RFC8446-4.2.9")
// and with the MQTT 3.1.1 statement IDs they also check; only the latter
// count in the statement coverage report. What a target's PSK endpoint
// does not negotiate (psk_ke on mosquitto, the CCM suites unless its
// listener lists them, record_size_limit with OpenSSL 3.0) is skipped with
// the reason, from the capabilities the target declares; so are the specs
// that need the opposite (a server ignoring record_size_limit) or a
// declared connect timeout.
package tlspsk_test

import (
	"testing"

	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = harness.Setup("tlspsk")

func TestTLSPSK(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "tlspsk")
}
