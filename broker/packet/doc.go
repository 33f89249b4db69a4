// Package packet encodes and decodes the fourteen MQTT 3.1.1 control packets.
//
// It knows bytes and packets only: no sessions, no routing, no I/O policy.
// Decoding validates everything the standard asks of a well-formed packet
// (reserved flags, remaining length, UTF-8 strings, topic names and filters,
// QoS values, packet identifiers, CONNECT flags) and reports each violation
// as its own error value, so a caller can answer with the exact outcome the
// standard demands.
//
// Limits: decoded packets alias the buffer they were decoded from and the
// Decoder that produced them; they are valid until the next Decode. Encoding
// appends to a caller-owned slice. Neither allocates when the caller's
// buffers have room, so the package is usable on boards built with TinyGo.
package packet
