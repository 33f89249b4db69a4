// Package link carries a control stream and several byte streams over one
// serial line, with TCP's promise for each stream — ordered, lossless,
// exactly once, with open, close and reset seen by both ends — over a line
// that drops, corrupts, duplicates and delays bytes. The firmware runs one
// end on a board (each stream served by the broker as one MQTT
// connection); the harness runs the other on the host.
//
// # Frames
//
// On the line, every frame is COBS-encoded and ends with a zero byte, so a
// receiver that lost its place resynchronises at the next zero. Decoded,
// a frame is
//
//	+--------+--------+--------------------+--------------+
//	| k | ch |  seq   |  body (0..MaxPay.) | CRC-32 (LE)  |
//	+--------+--------+--------------------+--------------+
//	  3b  5b    8b                           IEEE, over all before it
//
// where k is the kind and ch the channel (0: control stream, 1..31:
// byte streams). DATA (stream bytes), OPEN, CLOSE, RESET and CREDIT (u16
// increment) are sequenced: numbered by seq, acknowledged, retransmitted
// and delivered once and in order. ACK (seq: next expected number; body:
// u32 bitmap of the 32 frames after it already held) and SYNC (epochs
// and buffer sizes) are not. A frame with a bad CRC, bad COBS, an
// impossible length or an unknown kind is dropped and counted (Stats).
//
// # Reliability
//
// Sequenced frames use selective repeat over a window of up to 32 frames:
// the receiver holds frames that arrive after a gap and acknowledges each
// arrival with the next expected number and the bitmap of what it holds.
// Since a serial line keeps order, a frame sent before one that was
// acknowledged and not acknowledged itself is lost, and is resent at
// once; a retransmission timeout (RFC 6298 estimate, bounded by MinRTO and
// MaxRTO) covers the last frames of a burst. Frames start at MaxPayload
// bytes; each loss shrinks them by a quarter and each frame acknowledged
// first time grows them by two bytes, which settles near the size that
// carries the most payload for the line's error rate (about 20 bytes when
// 1 % of bytes are corrupted).
//
// # Flow control
//
// Each stream has a fixed receive buffer. A sender may send a stream only
// as many bytes as the receiver has granted: the buffer size at open,
// then CREDIT frames as the application reads. DATA beyond the credit
// resets the stream (counted as a credit overrun). Because every received
// frame fits its stream's buffer, the receiver never blocks and never
// drops an in-order frame, and one stream that nobody reads does not stop
// the others.
//
// # Streams
//
// One side (the host) opens streams; the other accepts them. Close sends
// CLOSE after the bytes already written: an EOF for the peer's reader.
// RESET abandons a stream on both sides. A channel is free again once both
// sides have sent CLOSE or RESET, and a stream record once the
// application has also closed it. Frames for a channel without a stream
// are answered with RESET, except RESET itself, so two sides never reset
// each other forever.
//
// # Start and restart
//
// Each side names its run with an epoch and repeats SYNC until the peer
// echoes it. A SYNC with a new epoch from a peer that was up means the
// peer restarted (a board reset, a new harness): every stream fails with
// ErrPeerReset, the control stream reports it once, and numbering starts
// over.
//
// # Limits
//
// All memory is allocated by New (Config.StateBytes); no frame allocates.
// Up to 31 streams, 32 frames in flight, 1024 payload bytes per frame and
// 64 KiB of buffer per stream. The CRC-32 lets through one corrupted frame
// in about four billion. The protocol does not authenticate or encrypt:
// it trusts whoever holds the other end of the cable.
package link
