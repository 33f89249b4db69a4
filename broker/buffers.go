package broker

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

// put takes back a buffer get lent; nil is ignored.
func (p *bufferPool) put(buf []byte) {
	if buf != nil {
		p.free = append(p.free, buf[:0])
	}
}
