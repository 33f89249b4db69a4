package link

import (
	"errors"
	"io"
	"sync"
	"time"
	"unsafe"
)

// Errors a Link and its streams return.
var (
	// ErrClosed is returned by operations on a stream after its Close.
	ErrClosed = errors.New("link: stream closed")
	// ErrWouldBlock is returned by TryRead when the stream has nothing
	// to read yet.
	ErrWouldBlock = errors.New("link: nothing to read yet")
	// ErrReset is returned when the peer reset the stream, or when this
	// side reset it because the peer broke the stream's rules (sent more
	// than its credit).
	ErrReset = errors.New("link: stream reset")
	// ErrPeerReset is returned on every stream when the peer restarted
	// (a SYNC with a new epoch), and once on the control stream.
	ErrPeerReset = errors.New("link: peer restarted")
	// ErrLinkClosed is returned once the link is closed or its line failed.
	ErrLinkClosed = errors.New("link: closed")
	// ErrNoStreams is returned by Open when every channel or stream record
	// is in use.
	ErrNoStreams = errors.New("link: no free stream")
	// ErrVersion reports a peer speaking another version of the protocol.
	ErrVersion = errors.New("link: peer speaks another protocol version")
)

// Internal reasons a frame is dropped; counted in Stats.
var (
	errTruncated = errors.New("link: truncated frame")
	errBadCRC    = errors.New("link: bad CRC")
)

// readChunk is how many line bytes the receiver reads at a time.
const readChunk = 256

// A Link multiplexes a control stream and up to Config.Streams byte
// streams over one serial line. See the package doc for the protocol.
type Link struct {
	cfg  Config
	line io.ReadWriter

	mu    sync.Mutex
	cond  sync.Cond     // window slots, credit, accept queue, link state
	wake  chan struct{} // the send loop has work
	done  chan struct{} // closed when the link is
	err   error         // why the link closed
	start time.Time

	sync syncState
	send sendWindow
	recv recvWindow

	recs     []Stream // [0] is the control stream
	chans    [maxChannels]int8
	owedRST  uint32 // channels owed a RESET although no stream is mapped to them
	accepted []int8 // ring of records waiting for Accept
	acceptAt int
	acceptN  int

	stats Stats
}

// Record sizes for Config.StateBytes.
const (
	streamRecordBytes = int(unsafe.Sizeof(Stream{}))
	linkRecordBytes   = int(unsafe.Sizeof(Link{}))
	slotRecordBytes   = int(unsafe.Sizeof(txSlot{}))
)

// New starts a link over line with the buffers cfg fixes, and returns at
// once: the link synchronises with its peer in the background, and Open,
// Accept and stream writes wait until it has. When line is also an
// io.Closer, Close closes it.
func New(line io.ReadWriter, cfg Config) (*Link, error) {
	cfg, err := cfg.normalized()
	if err != nil {
		return nil, err
	}
	l := &Link{
		cfg:      cfg,
		line:     line,
		wake:     make(chan struct{}, 1),
		done:     make(chan struct{}),
		start:    time.Now(),
		recs:     make([]Stream, cfg.Streams+1),
		accepted: make([]int8, cfg.Streams),
	}
	l.cond.L = &l.mu
	fc := cfg.frameCap()
	frames := make([]byte, 2*cfg.Window*fc)
	l.send.init(&cfg, frames[:cfg.Window*fc])
	l.recv.init(&cfg, frames[cfg.Window*fc:])
	buffers := make([]byte, len(l.recs)*cfg.StreamBuffer)
	for i := range l.recs {
		s := &l.recs[i]
		s.l, s.rec = l, int8(i)
		s.buf = buffers[i*cfg.StreamBuffer : (i+1)*cfg.StreamBuffer]
		s.readable.L = &l.mu
	}
	for i := range l.chans {
		l.chans[i] = chanFree
	}
	l.sync.init(&cfg)
	go l.sendLoop()
	go l.recvLoop()
	return l, nil
}

// Close stops the link: every stream operation returns ErrLinkClosed and
// the line is closed when it is an io.Closer.
func (l *Link) Close() error {
	l.fail(ErrLinkClosed)
	return nil
}

// Done is closed when the link has stopped; Err then says why.
func (l *Link) Done() <-chan struct{} { return l.done }

// Err returns why the link stopped, or nil while it runs.
func (l *Link) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// Up reports whether the link is synchronised with its peer.
func (l *Link) Up() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sync.up
}

// fail stops the link with err, once.
func (l *Link) fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failLocked(err)
}

func (l *Link) failLocked(err error) {
	if l.err != nil {
		return
	}
	l.err = err
	close(l.done)
	l.cond.Broadcast()
	for i := range l.recs {
		l.recs[i].wake()
	}
	if c, ok := l.line.(io.Closer); ok {
		c.Close()
	}
}

// kick wakes the send loop.
func (l *Link) kick() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// now is the link's clock, as a duration since New.
func (l *Link) now() time.Duration { return time.Since(l.start) }
