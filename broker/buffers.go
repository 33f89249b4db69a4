package broker

// A bufferPool lends the connections their read buffers or outboxes: a
// connection holds one only while bytes wait in it, so an idle connection
// holds none. New carves one buffer per user it could have at once, so a
// borrower never waits and capacity stays fixed; and since the buffer
// given back last is the one lent next, the pages a host touches are those
// of the buffers busy connections use together, not those of every slot.
// It is guarded by b.mu.
type bufferPool struct {
	free [][]byte
}

// init fills p with n buffers of size bytes taken from t, and uses list,
// of length n, to hold them.
func (p *bufferPool) init(list [][]byte, size int, t *tables) {
	p.free = list[:0:len(list)]
	for range len(list) {
		p.free = append(p.free, t.take(size))
	}
}

// get lends a buffer, empty, with its full capacity.
func (p *bufferPool) get() []byte {
	n := len(p.free) - 1
	buf := p.free[n]
	p.free[n] = nil
	p.free = p.free[:n]
	return buf[:0]
}

// put takes back a buffer get lent; nil is ignored.
func (p *bufferPool) put(buf []byte) {
	if buf != nil {
		p.free = append(p.free, buf[:0])
	}
}
