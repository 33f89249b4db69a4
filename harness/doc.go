// Package harness is the Ginkgo layer of the conformance suites: it starts
// the MQTT target a run is aimed at, skips what that target cannot do or
// is declared to get wrong, and gives specs connected clients that clean
// up after themselves. It is deliberately thin; the work is done below it:
//
//	harness/target         the Target model, the registry of target kinds
//	                       and the options reader they share
//	harness/target/inproc  this project's broker in the test process
//	harness/target/tcp     any broker at an address
//	harness/client         raw, paho and TLS-PSK clients, unique names
//	harness/report         statement coverage reports
//	fixtures/peers         what each peer implementation is declared to do
//
// Imports point one way: the target kinds use target and client, client
// uses target, and nothing below imports this package.
//
// # Targets
//
// A target is named by one string, given as --target to the suite (after
// "--" on the ginkgo command line) or as $GATOMQTT_TARGET; the default is
// "inproc". target.Parse turns it into a Target through the kind
// registered for its scheme:
//
//	inproc, inproc:pico, inproc:esp32c3   the broker in this process, on a
//	                                      loopback port, with host or board
//	                                      limits and the user inproc.User,
//	                                      which may not publish below
//	                                      fixtures.DeniedTopic
//	tcp://host:port?options               any running MQTT 3.1.1 broker
//
// An unknown option is an error, so a typo fails the suite at start rather
// than silently running the wrong checks. This package imports inproc and
// tcp for their registration; another kind reaches every suite when its
// package is imported for effect beside this one.
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
//		harness.Require(target.Needs{QoS: 1})
//		c := harness.RawSession(client.ConnectOptions{CleanSession: true})
//		Expect(c.Publish(client.Topic("qos1"), []byte("x"), 1, false, 7)).To(Succeed())
//		Expect(c.ExpectPuback(7, harness.Timeout)).To(Succeed())
//	})
//
// # Spec helpers
//
// Paho, PahoPSK, Raw, RawSession, RawPSK and PSKHandshake are named after
// what they return and take no target: they use the Current one, fail the
// spec when it refuses or does not answer (PSKHandshake alone returns its
// error, which is what its specs observe), and clean up when the spec
// ends: connections closed, the sessions of clean-session-0 clients
// cleared so small targets do not run out of session slots, and retained
// messages a raw client left deleted. The plain functions of package
// client do the same work without Ginkgo, for tests and tools.
//
// Helpers more than one suite needs live here too (Connect, Credentials,
// Inbox, PersistentID, DeniedTopic), so no suite keeps a copy of another's.
//
// Limits: the harness trusts what a target declares; a tcp target declares
// what its options say and nothing is probed beyond one CONNECT at start.
package harness
