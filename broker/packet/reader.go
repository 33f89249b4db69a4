package packet

import "io"

// A Reader reads whole packets from a byte stream into a fixed buffer.
// It reads as much as the stream offers, so several packets may arrive in
// one read, and moves a partial packet to the front of the buffer only
// when the rest would not fit behind it.
type Reader struct {
	// Decoder decodes the packets read. NewReader sets one that refuses
	// packets larger than the buffer; replace it before the first
	// ReadPacket to bound packets more tightly. It must not be nil.
	Decoder *Decoder

	r          io.Reader
	buf        []byte
	start, end int   // buf[start:end] holds bytes read but not yet returned
	err        error // error of the last read, returned once the buffered bytes are used
	last       int   // size of the packet ReadPacket last returned
}

// NewReader returns a Reader over r that buffers at most len(buf) bytes;
// a packet larger than buf is refused with ErrPacketTooLarge. A buffer
// shorter than the smallest packet (2 bytes) makes every ReadPacket fail
// with ErrBufferFull.
func NewReader(r io.Reader, buf []byte) *Reader {
	return &Reader{Decoder: &Decoder{MaxPacketSize: len(buf)}, r: r, buf: buf}
}

// Init sets r up as NewReader(rd, buf) does, with d as its Decoder, for a
// Reader held by value in a larger structure: it allocates nothing, where
// NewReader allocates the Reader and a Decoder. d must not be nil.
func (r *Reader) Init(rd io.Reader, buf []byte, d *Decoder) {
	*r = Reader{Decoder: d, r: rd, buf: buf}
}

// Reset discards any buffered bytes and error and reads from r from now on.
func (r *Reader) Reset(rd io.Reader) {
	r.r, r.start, r.end, r.err = rd, 0, 0, nil
}

// SetBuffer makes buf the buffer from now on and returns the one used
// until now, so that a server can lend a buffer to a stream only while it
// has bytes to parse. It may be called only while nothing is buffered
// (Buffered returns 0); it panics otherwise, as the bytes would be lost.
func (r *Reader) SetBuffer(buf []byte) []byte {
	if r.start != r.end {
		panic("packet: SetBuffer with bytes buffered")
	}
	old := r.buf
	r.buf, r.start, r.end = buf, 0, 0
	return old
}

// Buffered reports how many bytes have been read from the stream but not
// yet returned as part of a packet.
func (r *Reader) Buffered() int { return r.end - r.start }

// LastSize reports the size in bytes, fixed header included, of the
// packet ReadPacket last returned, so that a server can count the bytes
// it receives without wrapping the stream.
func (r *Reader) LastSize() int { return r.last }

// ReadPacket reads and decodes the next packet. The packet is valid until
// the next call. A packet larger than the buffer or the Decoder's limit is
// refused with ErrPacketTooLarge as soon as its fixed header arrives,
// without reading its body. At the end of the stream ReadPacket returns
// io.EOF when it ended between packets and io.ErrUnexpectedEOF when it
// ended inside one. An error from the underlying reader other than io.EOF
// is returned once, after the packets buffered before it; a later call
// reads again, so a read deadline can be used to poll.
func (r *Reader) ReadPacket() (Packet, error) {
	if len(r.buf) < 2 {
		return nil, ErrBufferFull
	}
	limit := len(r.buf)
	if m := r.Decoder.MaxPacketSize; m > 0 && m < limit {
		limit = m
	}
	for {
		avail := r.buf[r.start:r.end]
		h, err := ParseHeader(avail, limit)
		switch err {
		case nil:
			if n := h.Size + h.Remaining; len(avail) >= n {
				p, n, err := r.Decoder.Decode(avail)
				if err != nil {
					return nil, err
				}
				r.start += n
				r.last = n
				return p, nil
			}
			if err := checkFlags(h); err != nil {
				return nil, wrap(h.Type, err)
			}
			if r.start+h.Size+h.Remaining > len(r.buf) {
				r.compact()
			}
		case ErrIncomplete:
			if len(avail) >= limit {
				// The header alone runs past the limit.
				return nil, wrap(h.Type, ErrPacketTooLarge)
			}
			if r.end == len(r.buf) {
				r.compact()
			}
		default:
			return nil, wrap(h.Type, err)
		}
		if err := r.fill(); err != nil {
			return nil, err
		}
	}
}

// compact moves the buffered bytes to the front of the buffer.
func (r *Reader) compact() {
	r.end = copy(r.buf, r.buf[r.start:r.end])
	r.start = 0
}

// maxEmptyReads bounds the reads in a row that may return neither bytes
// nor an error before ReadPacket gives up with io.ErrNoProgress.
const maxEmptyReads = 100

// fill reads once more into the free end of the buffer.
func (r *Reader) fill() error {
	if r.err != nil {
		err := r.err
		if err == io.EOF {
			if r.start != r.end {
				return io.ErrUnexpectedEOF
			}
		} else {
			r.err = nil
		}
		return err
	}
	if r.start == r.end {
		r.start, r.end = 0, 0
	}
	for range maxEmptyReads {
		n, err := r.r.Read(r.buf[r.end:])
		if n < 0 || n > len(r.buf)-r.end {
			return io.ErrShortBuffer
		}
		r.end += n
		if err != nil {
			r.err = err
			if n > 0 {
				return nil
			}
			return r.fill()
		}
		if n > 0 {
			return nil
		}
	}
	return io.ErrNoProgress
}
