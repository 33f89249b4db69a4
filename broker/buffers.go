package broker

import (
	"io"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// A bufferPool lends the connections their read buffers or outboxes: a
// connection holds one only while bytes wait in it, so an idle connection
// holds none. New carves one buffer per user it could have at once, so a
// borrower never waits and capacity stays fixed; and since the buffer
// given back last is the one lent next, and buffers never lent are taken
// in order, the pages a host touches are those of the buffers busy
// connections use together, not those of every slot. It is guarded by
// b.mu.
type bufferPool struct {
	mem    []byte   // every buffer, size bytes each
	size   int      // bytes per buffer
	unused int      // buffers of mem never lent yet start here
	free   [][]byte // buffers given back, the last to be lent next
}

// init sets p up with the n buffers of size bytes in mem, and list, of
// capacity n, to hold the ones given back.
func (p *bufferPool) init(mem []byte, size int, list [][]byte) {
	p.mem, p.size, p.unused, p.free = mem, size, 0, list[:0:len(list)]
}

// get lends a buffer, empty, with its full capacity.
func (p *bufferPool) get() []byte {
	if n := len(p.free) - 1; n >= 0 {
		buf := p.free[n]
		p.free[n] = nil
		p.free = p.free[:n]
		return buf
	}
	at := p.unused * p.size
	p.unused++
	return p.mem[at : at : at+p.size]
}

// lent returns the number of buffers lent now.
func (p *bufferPool) lent() int { return p.unused - len(p.free) }

// put takes back a buffer get lent; nil is ignored.
func (p *bufferPool) put(buf []byte) {
	if buf != nil {
		p.free = append(p.free, buf[:0])
	}
}

// A reader is what a connection borrows to read packets: a packet.Reader
// over a read buffer with its decoder, which holds the last packet of each
// type it decoded for the reader handling it. A connection served from
// events needs one only while bytes wait to be parsed, so an idle one
// holds none.
type reader struct {
	rd  packet.Reader
	dec packet.Decoder
}

// A readerPool lends readers as a bufferPool lends buffers: one per
// connection slot, the one given back last lent first, each with a read
// buffer of its own that New carves, set up the first time it is lent.
// It is guarded by b.mu.
type readerPool struct {
	readers   []reader
	bufs      []byte // size bytes per reader, in the order of readers
	size      int
	maxPacket int
	unused    int       // readers never lent yet start here
	free      []*reader // readers given back, the last to be lent next
}

// get lends a reader, reading from r.
func (p *readerPool) get(r io.Reader) *reader {
	var rd *reader
	if n := len(p.free) - 1; n >= 0 {
		rd = p.free[n]
		p.free[n] = nil
		p.free = p.free[:n]
	} else {
		at := p.unused * p.size
		rd = &p.readers[p.unused]
		p.unused++
		// SUBSCRIBE and UNSUBSCRIBE filters are walked in the read
		// buffer, so a packet of any number of them needs no storage.
		rd.dec.MaxPacketSize = p.maxPacket
		rd.rd.Init(nil, p.bufs[at:at+p.size:at+p.size], &rd.dec)
	}
	rd.rd.Reset(r)
	return rd
}

// put takes back a reader get lent, which has no bytes buffered.
func (p *readerPool) put(rd *reader) {
	rd.rd.Reset(nil)
	p.free = append(p.free, rd)
}

// lent returns the number of readers lent now.
func (p *readerPool) lent() int { return p.unused - len(p.free) }
