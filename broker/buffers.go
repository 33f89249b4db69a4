package broker

import "github.com/gatomqtt/gatomqtt/broker/packet"

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

// A decoderPool lends the connections' readers their packet decoders,
// together with their read buffers: a decoder holds the last packet of
// each type it decoded, which only the reader handling it looks at, so
// an idle connection needs none. Like a bufferPool it holds one per
// connection slot, lends the one given back last first, and is guarded
// by b.mu.
type decoderPool struct {
	decs   []packet.Decoder
	unused int               // decoders never lent yet start here
	free   []*packet.Decoder // decoders given back, the last to be lent next
}

// get lends a decoder for packets of at most maxPacket bytes.
func (p *decoderPool) get(maxPacket int) *packet.Decoder {
	var d *packet.Decoder
	if n := len(p.free) - 1; n >= 0 {
		d = p.free[n]
		p.free[n] = nil
		p.free = p.free[:n]
	} else {
		d = &p.decs[p.unused]
		p.unused++
	}
	d.MaxPacketSize = maxPacket
	return d
}

// lent returns the number of decoders lent now.
func (p *decoderPool) lent() int { return p.unused - len(p.free) }

// put takes back a decoder get lent; nil is ignored.
func (p *decoderPool) put(d *packet.Decoder) {
	if d != nil {
		p.free = append(p.free, d)
	}
}
