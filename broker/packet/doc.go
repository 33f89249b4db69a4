// Package packet encodes and decodes the fourteen MQTT 3.1.1 control packets.
//
// It knows bytes and packets only: no sessions, no routing, no I/O policy.
// Decoding validates everything the standard asks of a well-formed packet
// (reserved flags, remaining length, UTF-8 strings, topic names and filters,
// QoS values, packet identifiers, CONNECT flags) and reports each violation
// as its own error value, wrapped in an *Error naming the packet type, so a
// caller can answer with the exact outcome the standard demands. Encoding
// with Append checks the same rules, so a well-behaved peer cannot send a
// malformed packet by mistake; test clients that must send one build it
// with AppendHeader, AppendRemainingLength, AppendUint16, AppendString and
// AppendBytes, which check nothing.
//
// A Decoder decodes packets from a byte slice; a Reader reads them from an
// io.Reader through one fixed buffer and refuses a packet larger than that
// buffer from its fixed header alone.
//
// SUBSCRIBE and UNSUBSCRIBE keep their topic filters encoded, as they
// travel, in Payload. Decoding checks them there and Iter walks them there,
// so a packet with any number of filters takes no storage beyond the bytes
// it was decoded from. NewSubscribe and NewUnsubscribe encode a list of
// filters into a Payload for sending.
//
// Limits: decoded packets alias the buffer they were decoded from and the
// Decoder that produced them; they are valid until the next Decode.
// Encoding appends to a caller-owned slice. Neither Decode nor Append
// allocates when the caller's buffers have room, so the package is usable
// on boards built with TinyGo; only NewSubscribe and NewUnsubscribe
// allocate, for the packet they build. Rules that bind a sender's behaviour rather than a packet's
// form, such as a refused CONNACK clearing its session-present flag or DUP
// being 0 at QoS 0, are left to the caller, so that conformance tests can
// observe them.
package packet
