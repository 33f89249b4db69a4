package broker

import "encoding/binary"

// An arena holds up to n byte strings of at most max bytes each, such as
// subscription filters or client identifiers, each in a block of its own
// size rounded up to a power of two, at least arenaMinBlock: a buddy
// allocator over n top blocks of pow2AtLeast(max) bytes. A short string
// then takes a short block, so the strings in use share their pages
// instead of each taking the room of the longest, which is what a host
// commits for them; the arena itself is sized for n of the longest, so
// put never fails while fewer than n strings are held: each of them lies
// in one top block, which leaves a top block whole for the next.
//
// An empty string takes no block. A free block keeps its free-list
// links in its first 8 bytes, and state
// says, for each arenaMinBlock of mem, whether a free block of some size
// begins there. Top blocks never used are taken in order (fresh), so that
// a new arena writes nothing. It is guarded by b.mu.
type arena struct {
	mem    []byte
	state  []uint8 // per arenaMinBlock: 0, or 1 + the order of the free block beginning there
	free   []int32 // per order: the first free block, in arenaMinBlock units, or -1
	top    int     // order of a top block
	fresh  int32   // top blocks never used start here, in arenaMinBlock units
	blocks int32   // arenaMinBlock units in mem
}

// arenaMinBlock is the smallest block: room for the two free-list links.
const arenaMinBlock = 16

// arenaOrders is the number of block sizes for strings of at most max
// bytes.
func arenaOrders(max int) int {
	n := 1
	for arenaMinBlock<<(n-1) < max {
		n++
	}
	return n
}

// arenaBytes is the size of the arena of n strings of at most max bytes,
// and arenaStates that of its state.
func arenaBytes(n, max int) int  { return n * arenaMinBlock << (arenaOrders(max) - 1) }
func arenaStates(n, max int) int { return arenaBytes(n, max) / arenaMinBlock }

// init sets the arena up in mem and state, of arenaBytes and arenaStates,
// with free, of arenaOrders entries, for its free lists.
func (a *arena) init(mem []byte, state []uint8, free []int32) {
	a.mem, a.state, a.free = mem, state, free
	a.top = len(free) - 1
	a.blocks = int32(len(mem) / arenaMinBlock)
	for i := range a.free {
		a.free[i] = -1
	}
}

// order is the order of the block for a string of n bytes.
func (a *arena) order(n int) int {
	k := 0
	for arenaMinBlock<<k < n {
		k++
	}
	return k
}

// put stores s and returns where: its offset in mem, for get and drop.
// An empty string takes no block.
func (a *arena) put(s []byte) int32 {
	if len(s) == 0 {
		return 0
	}
	k := a.order(len(s))
	at := a.take(k)
	copy(a.mem[int(at)*arenaMinBlock:], s)
	return at * arenaMinBlock
}

// get returns the n bytes stored at off.
func (a *arena) get(off int32, n int) []byte { return a.mem[off : int(off)+n : int(off)+n] }

// drop frees the block of the n-byte string stored at off.
func (a *arena) drop(off int32, n int) {
	if n == 0 {
		return
	}
	k := a.order(n)
	at := off / arenaMinBlock
	// Merge with the buddy for as long as it is free and whole.
	for k < a.top {
		buddy := at ^ (1 << k)
		if a.state[buddy] != uint8(k)+1 {
			break
		}
		a.unlink(buddy, k)
		at &^= 1 << k
		k++
	}
	a.link(at, k)
}

// take returns a free block of order k, splitting a larger one if need be.
func (a *arena) take(k int) int32 {
	j := k
	for j <= a.top && a.free[j] < 0 {
		j++
	}
	var at int32
	if j > a.top {
		// No free block: a top block never used. There is one while
		// fewer than n strings are held.
		at = a.fresh
		a.fresh += 1 << a.top
		j = a.top
	} else {
		at = a.free[j]
		a.unlink(at, j)
	}
	for j > k {
		j--
		a.link(at+1<<j, j) // the upper half stays free
	}
	return at
}

// link puts the block at, of order k, first in its free list.
func (a *arena) link(at int32, k int) {
	next := a.free[k]
	a.setLinks(at, -1, next)
	if next >= 0 {
		_, nn := a.links(next)
		a.setLinks(next, at, nn)
	}
	a.free[k] = at
	a.state[at] = uint8(k) + 1
}

// unlink takes the block at, of order k, out of its free list.
func (a *arena) unlink(at int32, k int) {
	prev, next := a.links(at)
	if prev >= 0 {
		pp, _ := a.links(prev)
		a.setLinks(prev, pp, next)
	} else {
		a.free[k] = next
	}
	if next >= 0 {
		_, nn := a.links(next)
		a.setLinks(next, prev, nn)
	}
	a.state[at] = 0
}

func (a *arena) links(at int32) (prev, next int32) {
	p := a.mem[int(at)*arenaMinBlock:]
	return int32(binary.LittleEndian.Uint32(p)), int32(binary.LittleEndian.Uint32(p[4:]))
}

func (a *arena) setLinks(at, prev, next int32) {
	p := a.mem[int(at)*arenaMinBlock:]
	binary.LittleEndian.PutUint32(p, uint32(prev))
	binary.LittleEndian.PutUint32(p[4:], uint32(next))
}
