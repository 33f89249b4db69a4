package broker

import "github.com/gatomqtt/gatomqtt/broker/packet"

// A subEntry is one subscription slot. Slot k of session s is entry
// s*perSession+k. Filters without wildcards are chained in hash buckets so
// that routing finds them without a scan; filters with wildcards are
// chained in one list and matched one by one.
type subEntry struct {
	filter     []byte // capacity MaxTopicLength; empty when the slot is free
	hash       uint32
	sess       int32
	list       int32 // the bucket the entry is chained in
	prev, next int32
	qos        packet.QoS
}

type subIndex struct {
	entries    []subEntry
	perSession int
	heads      []int32 // hash buckets, then the wildcard list
	mask       uint32
}

// subBuckets is the number of hash buckets for n subscription slots.
func subBuckets(n int) int {
	buckets := 1
	for buckets < n {
		buckets <<= 1
	}
	return buckets
}

// init sets the index up with perSession slots for each session of
// entries, filters of filterCap bytes taken from t and the heads of
// subBuckets(len(entries))+1 lists taken from t.
func (x *subIndex) init(entries []subEntry, perSession, filterCap int, t *tables) {
	x.perSession = perSession
	x.entries = entries
	for i := range x.entries {
		x.entries[i].filter = t.take(filterCap)
		x.entries[i].sess = int32(i / perSession)
	}
	buckets := subBuckets(len(entries))
	x.mask = uint32(buckets - 1)
	x.heads = t.takeInts(buckets + 1)
	for i := range x.heads {
		x.heads[i] = -1
	}
}

func (x *subIndex) wildList() int32 { return int32(len(x.heads) - 1) }

// slots returns the entries of session s.
func (x *subIndex) slots(s int32) []subEntry {
	i := int(s) * x.perSession
	return x.entries[i : i+x.perSession]
}

// find returns the slot of filter in session s, or -1.
func (x *subIndex) find(s int32, filter []byte) int {
	for k := range x.slots(s) {
		e := &x.entries[int(s)*x.perSession+k]
		if len(e.filter) > 0 && same(e.filter, filter) {
			return k
		}
	}
	return -1
}

// add subscribes session s to filter, replacing the QoS of an existing
// subscription to the same filter. It returns the slot, or -1 when the
// session has no free slot.
func (x *subIndex) add(s int32, filter []byte, qos packet.QoS) int {
	if k := x.find(s, filter); k >= 0 {
		x.entries[int(s)*x.perSession+k].qos = qos
		return k
	}
	for k := range x.slots(s) {
		i := int32(int(s)*x.perSession + k)
		e := &x.entries[i]
		if len(e.filter) != 0 {
			continue
		}
		e.filter = append(e.filter[:0], filter...)
		e.qos = qos
		e.hash = hashTopic(filter)
		e.list = x.wildList()
		if !hasWildcard(filter) {
			e.list = int32(e.hash & x.mask)
		}
		e.prev, e.next = -1, x.heads[e.list]
		if e.next >= 0 {
			x.entries[e.next].prev = i
		}
		x.heads[e.list] = i
		return k
	}
	return -1
}

// remove unsubscribes session s from filter and reports whether it was
// subscribed.
func (x *subIndex) remove(s int32, filter []byte) bool {
	k := x.find(s, filter)
	if k < 0 {
		return false
	}
	x.unlink(int32(int(s)*x.perSession + k))
	return true
}

// removeAll drops every subscription of session s.
func (x *subIndex) removeAll(s int32) {
	for k := range x.slots(s) {
		i := int32(int(s)*x.perSession + k)
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
		x.heads[e.list] = e.next
	}
	if e.next >= 0 {
		x.entries[e.next].prev = e.prev
	}
	e.filter = e.filter[:0]
}
