// Package client holds the MQTT clients the conformance harness drives a
// target with, usable with or without Ginkgo:
//
//   - RawClient speaks through the project's codec (broker/packet), for
//     bytes paho would never send, withheld acknowledgements and exact
//     timing; Dial and DialAddr connect one, NewRawClient wraps a
//     connection of the caller's.
//   - PahoClient is paho.mqtt.golang pinned to MQTT 3.1.1 with reconnects
//     off and the network connection reachable (Abort).
//   - PSKConn, DialPSK and NewPahoPSK put either over the project's TLS
//     1.3 external-PSK client (broker/tlspsk), with RecordConn counting the
//     TLS records on the wire.
//
// Topic and ClientID make names unique per run, parallel process and call,
// so runs sharing a broker never collide; clients present the target's
// credentials. Functions take what they talk to (target, endpoint or
// connection) explicitly, return errors and leave closing to the caller.
//
// Limits: the clients are for tests: they keep every packet they are
// waiting for in memory and bound every wait, but make no attempt at
// throughput (package load does).
package client
