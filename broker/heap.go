package broker

// New builds a broker in about a dozen allocations, however many slots
// the limits ask for: the Broker, one per table of structures (sessions,
// connection slots, subscription slots, ...), one for every byte buffer
// and one for every list of int32 indexes, the last two carved into the
// pieces each slot owns. Few allocations leave the allocator little to
// round up, and makeTable counts what it does round up, so StateBytes is
// the heap New takes, not an estimate of it. On hosts the tables of a
// megabyte or more that hold no pointers are mappings of their own
// instead (mapTable), counted by whole pages.

// tables hands out what New allocates and adds it up.
type tables struct {
	bytes []byte  // the byte buffers not handed out yet
	ints  []int32 // the index lists not handed out yet
	total int     // bytes the heap gave for every allocation so far

	mapped [][]byte // the tables mapTable mapped; see release
}

// carve allocates the bytes and ints that take and takeInts hand out.
func (t *tables) carve(bytes, ints int) {
	t.bytes = mapTable[byte](t, bytes)
	t.ints = mapTable[int32](t, ints)
}

// take hands out the next n bytes: empty, with capacity n.
func (t *tables) take(n int) []byte {
	p := t.bytes[:0:n]
	t.bytes = t.bytes[n:]
	return p
}

// takeAll hands out the next n bytes: length n.
func (t *tables) takeAll(n int) []byte { return t.take(n)[:n] }

// takeInts hands out the next n int32: length n.
func (t *tables) takeInts(n int) []int32 {
	p := t.ints[:n:n]
	t.ints = t.ints[n:]
	return p
}

// done checks that New took what it counted, no more and no less; taking
// more panics in take or takeInts.
func (t *tables) done() {
	if len(t.bytes) != 0 || len(t.ints) != 0 {
		panic("broker: New counted more than it took")
	}
}
