package broker

import "github.com/gatomqtt/gatomqtt/broker/packet"

// A subEntry is one subscription slot. Slot k of session s is entry
// k*sessions+s: slot k of every session side by side, then slot k+1, so
// that the first subscriptions of the sessions in use share their pages. Filters without wildcards are chained in hash buckets so
// that routing finds them without a scan; filters with wildcards hang
// from a node of the subscription tree (see subTree), chained in the same
// buckets under a key of that node, so that routing visits only those
// that nearly match.
//
// An entry holds no pointers, so that its table may live outside the Go
// heap (see mapTable): its filter lies in subIndex.filters, an arena.
type subEntry struct {
	off        int32  // of the filter in subIndex.filters
	flen       uint16 // length of the filter; 0 when the slot is free
	hash       uint32 // hashTopic(filter), or listKey of node
	sess       int32
	node       int32 // the tree node of a filter with wildcards, or -1
	prev, next int32 // in bucket hash&mask
	qos        packet.QoS
}

type subIndex struct {
	entries    []subEntry
	perSession int
	// filters holds the filters, each in a block of its own length
	// rounded up to a power of two, so that the short filters of many
	// sessions share their pages.
	filters   arena
	nsess     int
	maxLevels int
	heads     []int32 // hash buckets, see subEntry: first entry + 1, 0 when empty
	mask      uint32
	tree      subTree
}

// What add returns, instead of a slot, when it refuses a filter.
const (
	noSlot        = -1 // the session's MaxSubscriptions slots are taken
	noNodes       = -2 // the tree has too few free nodes for the filter
	tooManyLevels = -3 // the filter has more than MaxTopicLevels levels
)

// subBuckets is the number of hash buckets for nsess sessions: four per
// session, a session's usual handful of filters, so that chains stay
// short while the buckets, whose pages every session touches at random,
// take 16 bytes a session rather than 4 per subscription slot.
func subBuckets(nsess int) int { return pow2AtLeast(4 * nsess) }

// pow2AtLeast returns the least power of two not below n, at least 1: the
// size of a hash table that masks its hashes.
func pow2AtLeast(n int) int {
	p := 1
	for p < n {
		p <<= 1
	}
	return p
}

// init sets the index up with perSession slots for each session of
// entries, filters of filterCap bytes and of at most maxLevels levels
// taken from t, the heads of subBuckets(sessions) buckets and the
// tree of nodes, with its lists taken from t (see subIndexInts).
func (x *subIndex) init(entries []subEntry, perSession, filterCap, maxLevels int, nodes []subNode, t *tables) {
	n := len(entries)
	x.filters.init(t.takeAll(arenaBytes(n, filterCap)), t.takeAll(arenaStates(n, filterCap)), t.takeInts(arenaOrders(filterCap)))
	x.perSession = perSession
	x.maxLevels = maxLevels
	x.entries = entries
	x.nsess = len(entries) / perSession
	buckets := subBuckets(x.nsess)
	x.mask = uint32(buckets - 1)
	// Zero is empty, so that New writes none of the buckets and their
	// pages are committed as subscriptions come.
	x.heads = t.takeInts(buckets)
	x.tree.init(nodes, maxLevels, t)
}

// subIndexInts is the number of int32 init takes from the index lists,
// and subIndexBytes that of bytes, for slots subscription slots of
// filters of at most filterCap bytes.
func subIndexInts(nsess, nodes, maxLevels, filterCap int) int {
	return subBuckets(nsess) + treeInts(nodes, maxLevels) + arenaOrders(filterCap)
}

func subIndexBytes(slots, filterCap int) int {
	return arenaBytes(slots, filterCap) + arenaStates(slots, filterCap)
}

// head returns the first entry of the bucket of hash, or -1.
func (x *subIndex) head(hash uint32) int32 { return x.heads[hash&x.mask] - 1 }

// setHead makes entry i (-1: none) the first of the bucket of hash.
func (x *subIndex) setHead(hash uint32, i int32) { x.heads[hash&x.mask] = i + 1 }

// at returns the index of slot k of session s in entries.
func (x *subIndex) at(s int32, k int) int32 { return int32(k*x.nsess + int(s)) }

// entry returns slot k of session s.
func (x *subIndex) entry(s int32, k int) *subEntry { return &x.entries[x.at(s, k)] }

// filter returns the filter of entry i, empty when the slot is free.
func (x *subIndex) filter(i int32) []byte {
	e := &x.entries[i]
	return x.filters.get(e.off, int(e.flen))
}

// find returns the slot of filter in session s, or -1.
func (x *subIndex) find(s int32, filter []byte) int {
	for k := range x.perSession {
		if f := x.filter(x.at(s, k)); len(f) > 0 && same(f, filter) {
			return k
		}
	}
	return -1
}

// add subscribes session s to filter, replacing the QoS of an existing
// subscription to the same filter. It returns the slot, or noSlot,
// noNodes or tooManyLevels when it refuses the filter.
func (x *subIndex) add(s int32, filter []byte, qos packet.QoS) int {
	if k := x.find(s, filter); k >= 0 {
		x.entry(s, k).qos = qos
		return k
	}
	if levelCount(filter) > x.maxLevels {
		return tooManyLevels
	}
	for k := range x.perSession {
		i := x.at(s, k)
		e := &x.entries[i]
		if e.flen != 0 {
			continue
		}
		e.hash, e.node = hashTopic(filter), -1
		if hasWildcard(filter) {
			if e.node = x.tree.place(filter); e.node < 0 {
				return noNodes
			}
			e.hash = listKey(e.node, isMulti(filter))
		}
		e.off, e.flen = x.filters.put(filter), uint16(len(filter))
		e.sess, e.qos = s, qos
		e.prev, e.next = -1, x.head(e.hash)
		if e.next >= 0 {
			x.entries[e.next].prev = i
		}
		x.setHead(e.hash, i)
		return k
	}
	return noSlot
}

// remove unsubscribes session s from filter and reports whether it was
// subscribed.
func (x *subIndex) remove(s int32, filter []byte) bool {
	k := x.find(s, filter)
	if k < 0 {
		return false
	}
	x.unlink(x.at(s, k))
	return true
}

// removeAll drops every subscription of session s.
func (x *subIndex) removeAll(s int32) {
	for k := range x.perSession {
		i := x.at(s, k)
		if x.entries[i].flen > 0 {
			x.unlink(i)
		}
	}
}

func (x *subIndex) unlink(i int32) {
	e := &x.entries[i]
	if e.prev >= 0 {
		x.entries[e.prev].next = e.next
	} else {
		x.setHead(e.hash, e.next)
	}
	if e.next >= 0 {
		x.entries[e.next].prev = e.prev
	}
	if e.node >= 0 {
		x.tree.release(e.node)
	}
	x.filters.drop(e.off, int(e.flen))
	e.flen = 0
}
