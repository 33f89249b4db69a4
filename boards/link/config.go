package link

import (
	"errors"
	"strconv"
	"time"
)

// Config fixes every buffer of a Link. New allocates them once; nothing
// grows afterwards.
type Config struct {
	// Streams is the number of byte streams besides the control stream,
	// 1 to 31 (channels 1..Streams). A board sets it to the broker's
	// MaxConnections.
	Streams int
	// Window is the number of sequenced frames that may wait for their
	// acknowledgement, 1 to MaxWindow. Each costs two frame buffers: one to
	// retransmit from, one to hold frames that arrive ahead of a gap.
	Window int
	// MaxPayload is the largest number of stream bytes in one frame,
	// MinPayload to 1024. Frames start at this size and shrink while the
	// line loses them (see the package doc).
	MaxPayload int
	// StreamBuffer is the receive buffer of each stream, in bytes, 1 to
	// 65535: the credit the peer starts with.
	StreamBuffer int
	// MinRTO and MaxRTO bound the retransmission timeout. 0 means 10 ms and
	// 250 ms. A frame is retransmitted before its timeout as soon as the peer
	// acknowledges a frame sent after it.
	MinRTO, MaxRTO time.Duration
	// SyncInterval is how often an unsynchronised side repeats its SYNC;
	// 0 means 100 ms.
	SyncInterval time.Duration
	// Epoch names this side's run of the link; a peer that sees it change
	// knows this side restarted and resets every stream. It must differ
	// from one start to the next: a board takes it from its random number
	// generator, a host from crypto/rand. 0 is not a valid epoch.
	Epoch uint32
}

// ErrConfig reports a Config that New cannot build a link from.
var ErrConfig = errors.New("link: invalid config")

func (c Config) normalized() (Config, error) {
	bad := func(field string, v int) (Config, error) {
		return c, errors.Join(ErrConfig, errors.New(field+" = "+strconv.Itoa(v)))
	}
	switch {
	case c.Streams < 1 || c.Streams >= maxChannels:
		return bad("Streams", c.Streams)
	case c.Window < 1 || c.Window > MaxWindow:
		return bad("Window", c.Window)
	case c.MaxPayload < MinPayload || c.MaxPayload > 1024:
		return bad("MaxPayload", c.MaxPayload)
	case c.StreamBuffer < 1 || c.StreamBuffer > 0xFFFF:
		return bad("StreamBuffer", c.StreamBuffer)
	case c.Epoch == 0:
		return bad("Epoch", 0)
	case c.MinRTO < 0 || c.MaxRTO < 0 || c.SyncInterval < 0:
		return bad("MinRTO, MaxRTO or SyncInterval", -1)
	}
	if c.MinRTO == 0 {
		c.MinRTO = 10 * time.Millisecond
	}
	if c.MaxRTO == 0 {
		c.MaxRTO = 250 * time.Millisecond
	}
	if c.MaxRTO < c.MinRTO {
		c.MaxRTO = c.MinRTO
	}
	if c.SyncInterval == 0 {
		c.SyncInterval = 100 * time.Millisecond
	}
	return c, nil
}

// tickInterval is how often the send loop looks at its timeouts (of a
// normalized Config): half the smallest retransmission timeout, so that a
// timeout is seen at most MinRTO/2 late, or SyncInterval when shorter, but
// not more often than every millisecond.
func (c *Config) tickInterval() time.Duration {
	return max(min(c.MinRTO/2, c.SyncInterval), time.Millisecond)
}

// frameCap is the size of the largest decoded frame.
func (c *Config) frameCap() int { return headerLen + c.MaxPayload + crcLen }

// StateBytes is the memory New allocates for these buffers: the frame
// buffers of both windows, the stream receive buffers, the line buffers
// and the stream records. Goroutine stacks (two per link) are not
// included.
func (c Config) StateBytes() int {
	c.Epoch = 1 // the buffers do not depend on it
	n, err := c.normalized()
	if err != nil {
		return 0
	}
	frames := 2 * n.Window * n.frameCap()
	line := 2*(cobsMaxLen(n.frameCap())+1) + readChunk
	streams := (n.Streams + 1) * (n.StreamBuffer + streamRecordBytes)
	return frames + line + streams + linkRecordBytes + 2*n.Window*slotRecordBytes
}
