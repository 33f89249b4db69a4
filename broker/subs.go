package broker

import "github.com/gatomqtt/gatomqtt/broker/packet"

// A subEntry is one subscription slot. Slot k of session s is entry
// k*sessions+s: slot k of every session side by side, then slot k+1, so
// that the first subscriptions of the sessions in use share their pages. Filters without wildcards are chained in hash buckets so
// that routing finds them without a scan; filters with wildcards hang
// from a node of the subscription tree (see subTree), chained in the same
// buckets under a key of that node, so that routing visits only those
// that nearly match.
type subEntry struct {
	filter     []byte // capacity MaxTopicLength; empty when the slot is free
	hash       uint32 // hashTopic(filter), or listKey of node
	sess       int32
	node       int32 // the tree node of a filter with wildcards, or -1
	prev, next int32 // in bucket hash&mask
	qos        packet.QoS
}

type subIndex struct {
	entries    []subEntry
	perSession int
	// filters holds every slot's filter, filterCap bytes each, in the
	// order of entries. A slot takes its part the first time it is used.
	filters   []byte
	filterCap int
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

// subBuckets is the number of hash buckets for n subscription slots.
func subBuckets(n int) int {
	buckets := 1
	for buckets < n {
		buckets <<= 1
	}
	return buckets
}

// init sets the index up with perSession slots for each session of
// entries, filters of filterCap bytes and of at most maxLevels levels
// taken from t, the heads of subBuckets(len(entries)) buckets and the
// tree of nodes, with its lists taken from t (see subIndexInts).
func (x *subIndex) init(entries []subEntry, perSession, filterCap, maxLevels int, nodes []subNode, t *tables) {
	x.perSession = perSession
	x.maxLevels = maxLevels
	x.entries = entries
	x.filterCap, x.nsess = filterCap, len(entries)/perSession
	x.filters = t.takeAll(len(entries) * filterCap)
	buckets := subBuckets(len(entries))
	x.mask = uint32(buckets - 1)
	// Zero is empty, so that New writes none of the buckets and their
	// pages are committed as subscriptions come.
	x.heads = t.takeInts(buckets)
	x.tree.init(nodes, maxLevels, t)
}

// subIndexInts is the number of int32 init takes from the index lists.
func subIndexInts(slots, nodes, maxLevels int) int {
	return subBuckets(slots) + treeInts(nodes, maxLevels)
}

// head returns the first entry of the bucket of hash, or -1.
func (x *subIndex) head(hash uint32) int32 { return x.heads[hash&x.mask] - 1 }

// setHead makes entry i (-1: none) the first of the bucket of hash.
func (x *subIndex) setHead(hash uint32, i int32) { x.heads[hash&x.mask] = i + 1 }

// at returns the index of slot k of session s in entries.
func (x *subIndex) at(s int32, k int) int32 { return int32(k*x.nsess + int(s)) }

// entry returns slot k of session s.
func (x *subIndex) entry(s int32, k int) *subEntry { return &x.entries[x.at(s, k)] }

// find returns the slot of filter in session s, or -1.
func (x *subIndex) find(s int32, filter []byte) int {
	for k := range x.perSession {
		e := x.entry(s, k)
		if len(e.filter) > 0 && same(e.filter, filter) {
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
		if len(e.filter) != 0 {
			continue
		}
		e.hash, e.node = hashTopic(filter), -1
		if hasWildcard(filter) {
			if e.node = x.tree.place(filter); e.node < 0 {
				return noNodes
			}
			e.hash = listKey(e.node, isMulti(filter))
		}
		if e.filter == nil {
			at := (k*x.nsess + int(s)) * x.filterCap
			e.filter = x.filters[at : at : at+x.filterCap]
			e.sess = s
		}
		e.filter = append(e.filter[:0], filter...)
		e.qos = qos
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
		if len(x.entries[i].filter) > 0 {
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
	e.filter = e.filter[:0]
}
