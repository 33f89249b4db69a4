// Package harness is the base of the Ginkgo conformance suites: it starts
// the MQTT target a run is aimed at, tells specs what that target can do,
// and gives them clients to drive it.
//
// # Targets
//
// A Target is named by one string, given as --target to the suite (after
// "--" on the ginkgo command line) or as $GATOMQTT_TARGET; the default is
// "inproc". Parse turns the string into a Target through a function
// registered per scheme (Register), so later target kinds plug in from their
// own packages:
//
//	inproc, inproc:pico, inproc:esp32c3   the broker in this process, on a
//	                                      loopback port, with host or board
//	                                      limits and the user InprocUser,
//	                                      which may not publish below
//	                                      InprocDeniedTopic
//	                                      (?anonymous=true: no user;
//	                                      ?psk_groups=p256 and the other
//	                                      psk_* options narrow its
//	                                      TLS-PSK endpoint)
//	tcp://host:port?options               any running MQTT 3.1.1 broker
//
// tcp options name credentials (username, password), the implementation
// behind the address (peer=mosquitto loads its declared deviations), and
// what it supports (qos, persistent, sessions, retained, denied, ...);
// see the Capabilities and Limits types. An unknown option is an error, so a typo
// fails the suite at start rather than silently running the wrong checks.
//
// # Suites
//
// A suite's suite_test.go calls Setup once at package level. Setup adds
// the --target flag, starts the target in BeforeSuite (an unknown or
// unreachable target fails the suite there, once), stops it in AfterSuite,
// skips every spec labelled with a statement the target declares a known
// deviation from ("known deviation of mosquitto: ..."), and writes the
// suite's statement coverage (package report) after the suite:
//
//	package connect_test
//
//	import (
//		"testing"
//
//		"github.com/gatomqtt/gatomqtt/harness"
//		. "github.com/onsi/ginkgo/v2"
//		. "github.com/onsi/gomega"
//	)
//
//	var _ = harness.Setup("connect")
//
//	func TestConnect(t *testing.T) {
//		RegisterFailHandler(Fail)
//		RunSpecs(t, "connect")
//	}
//
// Specs label themselves with the statement IDs they check, state what
// they need with Require (skipped with the reason when the target lacks
// it), and use the clients:
//
//	It("acknowledges a QoS 1 PUBLISH with its packet identifier", Label("MQTT-2.3.1-6"), func() {
//		harness.Require(harness.Needs{QoS: 1})
//		c := harness.RawSession(harness.ConnectOptions{CleanSession: true})
//		Expect(c.Publish(harness.Topic("qos1"), []byte("x"), 1, false, 7)).To(Succeed())
//		Expect(c.ExpectPuback(7, harness.Timeout)).To(Succeed())
//	})
//
//	It("delivers to a paho subscriber", Label("MQTT-3.3.5-1"), func() {
//		topic := harness.Topic("fan-out")
//		sub := harness.Paho() // connected, credentials, unique id, closed after the spec
//		Expect(harness.Wait(sub.Subscribe(topic, 1, nil), "subscribe")).To(Succeed())
//		pub := harness.Paho()
//		Expect(harness.Wait(pub.Publish(topic, 1, false, "x"), "publish")).To(Succeed())
//		Eventually(sub.Messages).WithTimeout(harness.Timeout).Should(Receive())
//	})
//
// # Clients
//
// PahoClient is a paho.mqtt.golang client pinned to MQTT 3.1.1 with
// reconnects off and the network connection reachable (Abort). RawClient
// speaks through the project's codec, for bytes paho would never send,
// withheld acknowledgements and exact timing. Topic and ClientID make
// names unique per run, parallel process and call, so runs sharing a
// broker never collide, and clients present the target's credentials.
//
// Functions that give clients or act on a target follow one rule, which
// their names show:
//
//   - Spec helpers are named after what they return and take no target:
//     Paho, PahoPSK, Raw, RawSession, RawPSK and PSKHandshake. They use the
//     Current target, fail the spec when it refuses or does not answer
//     (PSKHandshake alone returns its error, which is what its specs
//     observe), and clean up when the spec ends: connections closed, the
//     sessions of clean-session-0 clients cleared (ClearSession) so small
//     targets do not run out of session slots, and retained messages a raw
//     client left deleted (ClearRetained).
//   - Plain functions start with a verb, take what they talk to (target,
//     endpoint or connection) explicitly, return errors and leave closing
//     to the caller, so
//     they work without Ginkgo, in tests and tools: New makes an
//     unconnected client (NewPaho, NewPahoPSK, NewRawClient over a
//     connection of your own), Dial opens a network connection (Dial,
//     DialPSK, DialPSKConn), Connect completes an MQTT CONNECT
//     (ConnectPaho), Clear removes what a spec left on a target
//     (ClearSession, ClearRetained).
//
// # TLS-PSK
//
// A target may serve MQTT over TLS 1.3 with an external pre-shared key
// (package broker/tlspsk): Endpoints.PSK names the address, identity and
// key, and Capabilities.PSK what the endpoint negotiates (modes, suites,
// groups, record size extensions). The inproc target always has one, with
// a random identity and key; tcp targets declare theirs with
// psk=host:port&psk_identity=id&psk_key=hex and the psk_* options of
// PSKCapabilities. Specs state what they need with RequirePSK, and use
// PahoPSK (paho over the TLS-PSK client), RawPSK (the raw client over it)
// or PSKHandshake (a handshake alone, for refusals). PSKConn.Wire counts
// the TLS records on the wire; PSKServerState and PSKServerBufferBytes read
// the inproc server's side of a connection.
//
// Later target kinds (emulated:, serial:, rfc2217:) register a ParseFunc
// for their scheme, from a file of this package (one per scheme, like
// tcp.go and inproc.go; every suite then accepts them) or from their own
// package, which suites import for its side effect.
//
// Limits: the harness trusts what a target declares; a tcp target declares
// what its options say and nothing is probed beyond one CONNECT at start.
package harness
