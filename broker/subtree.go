package broker

// Filters with wildcards are kept in a tree of their levels, so that
// routing a topic visits only the nodes whose filter prefix matches the
// topic's leading levels, however many other filters there are: a node
// is reached only from its parent, which is reached only when its own
// prefix matches, so every node is visited at most once per message, and
// only if it (nearly, see below) matches.
//
// A node stands for the leading levels of one or more filters. Its
// children are found through one hash table keyed by (parent, hash of
// the level), the '+' child under a key no literal level hashes to; a
// trailing '#' needs no node of its own. The subscriptions themselves
// stay chained in the hash buckets of subIndex, keyed by (node, whether
// the filter ends in "#" there): those to "a/+" under the node "a/+",
// those to "a/+/#" and "a/+" then "/#" under the same node marked multi,
// those to "#" under the root. Nodes thus take 16 bytes and hold no
// lists, which matters on the boards.
//
// A node keeps the hash of its level, not the level: storing levels
// would take MaxTopicLength bytes a node, or an allocator. Two levels
// whose hashes collide under one parent therefore share a node, so the
// tree only narrows the subscriptions down to those that nearly match,
// and each of them is checked with match before it counts. A collision
// costs that check, never a wrong delivery; only subscriptions at the
// colliding node pay for it.
//
// All nodes come from one pool sized by New (see
// Limits.SubscriptionNodes); a filter that needs more nodes than are
// free is refused, whole.

// subNode is a node of the tree; node 0 is the root, the empty prefix.
type subNode struct {
	parent int32
	level  uint32 // levelKey of its level; 0 for the root
	next   int32  // the next node in its hash chain, or in the free list
	refs   int32  // subscriptions whose filter runs through or ends here
}

type subTree struct {
	nodes []subNode
	table []int32 // hash chains of children, by slot
	mask  uint32
	free  int32 // the first free node, chained through next
	nfree int   // free nodes: those chained and those never used
	// unused is the first node never used: nodes are taken from the free
	// chain first, then from here, so that init writes none of them.
	unused int32
	// stack holds the nodes still to visit while routing, with the
	// offset of the next topic level: at most one pending sibling per
	// depth and two at the deepest, so MaxTopicLevels + 1 pairs.
	stack []int32
	// visited counts the nodes, hash chain links and subscriptions the
	// last match walked through, for tests to hold routing to what
	// matches.
	visited int
}

// plusKey is the key of a '+' level; levelKey keeps the low bit of the
// others clear, so that no topic level leads to a '+' node.
const plusKey = 1

func levelKey(lvl []byte) uint32 {
	if len(lvl) == 1 && lvl[0] == '+' {
		return plusKey
	}
	return hashTopic(lvl) &^ 1
}

// treeNodes is the size of the node pool for slots subscription slots
// of perSlot nodes each, the root included.
func treeNodes(slots, perSlot int) int { return 1 + slots*perSlot }

// treeBuckets is the size of the hash table of a tree of nodes nodes:
// chains of two when the pool is all in use.
func treeBuckets(nodes int) int { return max(pow2AtLeast(nodes)/2, 1) }

// treeInts is the number of int32 the tree of nodes nodes and filters
// of levels levels takes from the index lists.
func treeInts(nodes, levels int) int { return treeBuckets(nodes) + treeStack(levels) }

func treeStack(levels int) int { return 2 * (levels + 2) }

// init sets up a tree of the given nodes, its hash table and routing
// stack taken from t.
func (tr *subTree) init(nodes []subNode, levels int, t *tables) {
	tr.nodes = nodes
	buckets := treeBuckets(len(nodes))
	tr.mask = uint32(buckets - 1)
	tr.table = t.takeInts(buckets) // first node + 1, 0 when empty, as subIndex.heads
	tr.stack = t.takeInts(treeStack(levels))
	tr.nodes[0] = subNode{parent: -1, next: -1}
	tr.free, tr.nfree, tr.unused = -1, len(tr.nodes)-1, 1
}

func (tr *subTree) slot(parent int32, key uint32) uint32 {
	return (key ^ uint32(parent)*0x9E3779B1) & tr.mask
}

// child returns the child of parent under key, or -1.
func (tr *subTree) child(parent int32, key uint32) int32 {
	for n := tr.table[tr.slot(parent, key)] - 1; n >= 0; n = tr.nodes[n].next {
		tr.visited++
		if nd := &tr.nodes[n]; nd.parent == parent && nd.level == key {
			return n
		}
	}
	return -1
}

// nextLevel returns the end of the level of b starting at pos.
func nextLevel(b []byte, pos int) int {
	for pos < len(b) && b[pos] != '/' {
		pos++
	}
	return pos
}

// levelCount is the number of levels of a topic name or filter.
func levelCount(b []byte) int {
	n := 1
	for _, c := range b {
		if c == '/' {
			n++
		}
	}
	return n
}

// isMulti reports whether a filter ends in '#'.
func isMulti(filter []byte) bool { return len(filter) > 0 && filter[len(filter)-1] == '#' }

// place links the path of a filter with wildcards into the tree, making
// the nodes it lacks, and returns the node its subscription hangs from:
// the node of its last level, or of the level before a trailing '#'. It
// returns -1 when too few nodes are free, and then changes nothing.
func (tr *subTree) place(filter []byte) int32 {
	// First count the nodes to make, so that a refusal changes nothing.
	n, missing := int32(0), 0
	for pos := 0; pos <= len(filter); {
		end := nextLevel(filter, pos)
		if end == pos+1 && filter[pos] == '#' {
			break
		}
		if missing > 0 {
			missing++
		} else if c := tr.child(n, levelKey(filter[pos:end])); c >= 0 {
			n = c
		} else {
			missing = 1
		}
		pos = end + 1
	}
	if missing > tr.nfree {
		return -1
	}
	n = 0
	for pos := 0; pos <= len(filter); {
		end := nextLevel(filter, pos)
		if end == pos+1 && filter[pos] == '#' {
			break
		}
		n = tr.descend(n, levelKey(filter[pos:end]))
		tr.nodes[n].refs++
		pos = end + 1
	}
	return n
}

// descend returns the child of n under key, made from a free node if
// there is none; place has checked that one is free.
func (tr *subTree) descend(n int32, key uint32) int32 {
	if c := tr.child(n, key); c >= 0 {
		return c
	}
	c := tr.free
	if c >= 0 {
		tr.free = tr.nodes[c].next
	} else {
		c = tr.unused
		tr.unused++
	}
	nd := &tr.nodes[c]
	tr.nfree--
	s := tr.slot(n, key)
	*nd = subNode{parent: n, level: key, next: tr.table[s] - 1}
	tr.table[s] = c + 1
	return c
}

// release drops one subscription from the path ending at node n,
// freeing the nodes no subscription runs through any more.
func (tr *subTree) release(n int32) {
	for n > 0 {
		nd := &tr.nodes[n]
		parent := nd.parent
		if nd.refs--; nd.refs == 0 {
			if s := tr.slot(parent, nd.level); tr.table[s]-1 == n {
				tr.table[s] = nd.next + 1
			} else {
				p := tr.table[s] - 1
				for tr.nodes[p].next != n {
					p = tr.nodes[p].next
				}
				tr.nodes[p].next = nd.next
			}
			nd.next = tr.free
			tr.free = n
			tr.nfree++
		}
		n = parent
	}
}

// listKey is the hash under which subIndex chains the subscriptions
// hanging from node n, multi for those ending in '#'.
func listKey(n int32, multi bool) uint32 {
	k := uint32(n) << 1
	if multi {
		k |= 1
	}
	return k * 0x9E3779B1
}

// collectTree marks the sessions whose filters with wildcards match
// topic, walking the tree depth first from the root.
func (b *Broker) collectTree(topic []byte) {
	tr := &b.subs.tree
	tr.visited = 0
	// A filter starting with a wildcard matches no '$' topic
	// (MQTT-4.7.2-1): the root's '+' child and "#" are skipped.
	dollar := len(topic) > 0 && topic[0] == '$'
	stack := tr.stack
	stack[0], stack[1] = 0, 0
	sp := 2
	for sp > 0 {
		sp -= 2
		n, pos := stack[sp], int(stack[sp+1])
		tr.visited++
		if pos > len(topic) {
			// Every level of topic matched n's prefix; "#" includes the
			// parent level, so the multi filters match too.
			b.markList(n, false, topic)
			b.markList(n, true, topic)
			continue
		}
		wild := n != 0 || !dollar
		if wild {
			b.markList(n, true, topic)
		}
		end := nextLevel(topic, pos)
		if c := tr.child(n, levelKey(topic[pos:end])); c >= 0 {
			stack[sp], stack[sp+1] = c, int32(end+1)
			sp += 2
		}
		if !wild {
			continue
		}
		if c := tr.child(n, plusKey); c >= 0 {
			stack[sp], stack[sp+1] = c, int32(end+1)
			sp += 2
		}
	}
}

// markList marks the sessions of the subscriptions hanging from node n
// (multi: those ending in '#') whose filter matches topic: they are
// only nearly sure to, see subTree.
func (b *Broker) markList(n int32, multi bool, topic []byte) {
	x := &b.subs
	key := listKey(n, multi)
	for i := x.head(key); i >= 0; {
		e := &x.entries[i]
		x.tree.visited++
		if e.hash == key && e.node == n {
			if f := x.filter(i); isMulti(f) == multi && match(f, topic) {
				b.mark(e.sess, e.qos)
			}
		}
		i = e.next
	}
}
