package load

import (
	"encoding/binary"
	"errors"
	"time"
)

// StampSize is the smallest payload a run can use: the stamp every
// publisher writes at the start of its payloads.
const StampSize = 16

// errShortPayload reports a payload too short to carry a stamp: a message
// this run did not publish.
var errShortPayload = errors.New("load: payload shorter than the send stamp")

// A stamp identifies one published message and when it was sent. Sent is
// measured from the run's start on the monotonic clock, so it compares
// only with times from the same process.
type stamp struct {
	Sent      time.Duration
	Publisher uint32
	Seq       uint32
}

// put writes s into the first StampSize bytes of b, which must be long enough.
func (s stamp) put(b []byte) {
	binary.BigEndian.PutUint64(b[0:8], uint64(s.Sent))
	binary.BigEndian.PutUint32(b[8:12], s.Publisher)
	binary.BigEndian.PutUint32(b[12:16], s.Seq)
}

// readStamp reads the stamp at the start of b.
func readStamp(b []byte) (stamp, error) {
	if len(b) < StampSize {
		return stamp{}, errShortPayload
	}
	return stamp{
		Sent:      time.Duration(binary.BigEndian.Uint64(b[0:8])),
		Publisher: binary.BigEndian.Uint32(b[8:12]),
		Seq:       binary.BigEndian.Uint32(b[12:16]),
	}, nil
}
