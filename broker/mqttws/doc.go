// Package mqttws carries MQTT over WebSocket (MQTT 3.1.1 section 6), as
// browser clients and MQTT.js speak it: a WebSocket connection whose
// subprotocol is "mqtt" and whose binary messages carry the MQTT byte
// stream. Conn makes one a net.Conn, so that the broker serves it as it
// serves TCP (Handler, Serve) and the harness dials it as it dials TCP
// (Dial).
//
// What the standard asks of a server, and how this package does it:
//   - MQTT-6.0.0-1: packets travel in binary messages; a text message
//     closes the connection (close code 1003, unsupported data).
//   - MQTT-6.0.0-2: packets are not aligned on messages: Conn reads the
//     messages back to back as one stream, so a packet may span messages
//     and a message may hold several packets.
//   - MQTT-6.0.0-3/4: the client offers "mqtt" and the server selects it;
//     a handshake without it is refused (HTTP 400) before any MQTT.
//
// Limits: any request path is served (MQTT.js asks for /mqtt, others for
// /); Origin is not checked unless Handler is given the origins to allow,
// since MQTT's own login is what protects the broker; each Write is one
// binary message; one goroutine per connection, as package listen.
package mqttws
