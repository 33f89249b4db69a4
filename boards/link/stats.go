package link

import "time"

// Stats counts what a link did and what it refused. Every frame dropped
// for a reason is counted under that reason.
type Stats struct {
	BytesSent, BytesReceived   uint64 // line bytes, framing included
	FramesSent, FramesReceived uint64 // frames with a good CRC
	Retransmits                uint64 // frames sent again
	Timeouts                   uint64 // retransmissions triggered by the timer rather than an ACK

	BadCRC          uint64 // frames whose CRC did not match
	Malformed       uint64 // bad COBS, too short, bad lengths, frames against the protocol
	Oversized       uint64 // byte runs longer than the largest frame before a zero
	NotSynced       uint64 // frames other than SYNC before the link was up
	Duplicates      uint64 // sequenced frames already received
	WindowOverflows uint64 // sequenced frames beyond the receive window
	BadAcks         uint64 // ACKs naming frames never sent
	UnknownChannel  uint64 // frames for a channel with no stream
	CreditOverruns  uint64 // DATA beyond the credit granted: the stream is reset
	Refused         uint64 // OPENs refused for want of a stream record or a channel
	PeerResets      uint64 // peer restarts seen (a SYNC with a new epoch)

	Payload int           // current frame payload size
	RTO     time.Duration // current retransmission timeout
}

// Stats returns the link's counters.
func (l *Link) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.stats
	st.Payload, st.RTO = l.send.payload, l.send.rto
	return st
}
