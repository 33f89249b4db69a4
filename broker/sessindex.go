package broker

// An idIndex finds a session by its client identifier without looking at
// every session: an open-addressing table of session index + 1 (0 is
// empty, so New writes none of it), with at least twice as many slots as
// sessions so that probes stay short. Linear probing with backward-shift
// deletion keeps it free of tombstones. Sessions of clients with no
// identifier are never resumed, so they are not in it. Guarded by b.mu.
type idIndex struct {
	slots []int32
	mask  uint32
}

// idIndexSlots is the size of the index for n sessions.
func idIndexSlots(n int) int { return pow2AtLeast(2 * n) }

func (x *idIndex) init(slots []int32) {
	x.slots = slots
	x.mask = uint32(len(slots) - 1)
}

// find returns the session of id, or nil.
func (x *idIndex) find(b *Broker, id []byte) *session {
	for i := hashTopic(id) & x.mask; x.slots[i] != 0; i = (i + 1) & x.mask {
		if s := &b.sessions[x.slots[i]-1]; same(s.clientID(), id) {
			return s
		}
	}
	return nil
}

// add indexes s under its client identifier, which no other session in
// the index has.
func (x *idIndex) add(s *session) {
	i := hashTopic(s.clientID()) & x.mask
	for x.slots[i] != 0 {
		i = (i + 1) & x.mask
	}
	x.slots[i] = s.idx + 1
}

// remove drops s from the index, if it is there.
func (x *idIndex) remove(b *Broker, s *session) {
	i := hashTopic(s.clientID()) & x.mask
	for x.slots[i] != s.idx+1 {
		if x.slots[i] == 0 {
			return
		}
		i = (i + 1) & x.mask
	}
	// Move back each later entry of the run that would no longer be
	// found past the hole.
	hole := i
	for j := (hole + 1) & x.mask; x.slots[j] != 0; j = (j + 1) & x.mask {
		home := hashTopic(b.sessions[x.slots[j]-1].clientID()) & x.mask
		if (j-home)&x.mask >= (j-hole)&x.mask {
			x.slots[hole] = x.slots[j]
			hole = j
		}
	}
	x.slots[hole] = 0
}
