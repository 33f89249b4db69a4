package broker

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestArena puts and drops strings at random, keeping up to n, and checks
// after each step that every string held reads back as stored, that no two
// blocks overlap, and that put never fails with fewer than n held, in
// arenas of several sizes.
func TestArena(t *testing.T) {
	for _, tc := range []struct{ n, max int }{{1, 16}, {3, 23}, {8, 64}, {50, 256}, {200, 100}} {
		t.Run(strconv.Itoa(tc.n)+"x"+strconv.Itoa(tc.max), func(t *testing.T) {
			var a arena
			a.init(make([]byte, arenaBytes(tc.n, tc.max)), make([]uint8, arenaStates(tc.n, tc.max)), make([]int32, arenaOrders(tc.max)))
			type held struct {
				off int32
				s   []byte
			}
			var live []held
			rng := rand.New(rand.NewPCG(uint64(tc.n), uint64(tc.max)))
			for step := range 20000 {
				if len(live) < tc.n && (len(live) == 0 || rng.IntN(2) == 0) {
					s := make([]byte, rng.IntN(tc.max+1))
					for i := range s {
						s[i] = byte(rng.Uint32())
					}
					live = append(live, held{a.put(s), s})
				} else {
					i := rng.IntN(len(live))
					a.drop(live[i].off, len(live[i].s))
					live[i] = live[len(live)-1]
					live = live[:len(live)-1]
				}
				used := make([]int, len(a.mem)/arenaMinBlock)
				for i, h := range live {
					if got := a.get(h.off, len(h.s)); !bytes.Equal(got, h.s) {
						t.Fatalf("step %d: string %d at %d reads %x, stored %x", step, i, h.off, got, h.s)
					}
					if len(h.s) == 0 {
						continue
					}
					if int(h.off)%arenaMinBlock != 0 {
						t.Fatalf("step %d: offset %d not a block", step, h.off)
					}
					for b := range (arenaMinBlock << a.order(len(h.s))) / arenaMinBlock {
						u := int(h.off)/arenaMinBlock + b
						if used[u] != 0 {
							t.Fatalf("step %d: strings %d and %d share block %d", step, used[u]-1, i, u)
						}
						used[u] = i + 1
					}
				}
			}
		})
	}
}

// TestArenaPacksShortStrings: short strings share the first top blocks,
// which is the point of the arena; a table of the longest would have
// spread them over all of mem.
func TestArenaPacksShortStrings(t *testing.T) {
	const n, longest = 1000, 256
	var a arena
	a.init(make([]byte, arenaBytes(n, longest)), make([]uint8, arenaStates(n, longest)), make([]int32, arenaOrders(longest)))
	end := int32(0)
	for i := range n {
		off := a.put([]byte("idle/" + strconv.Itoa(i)))
		end = max(end, off+arenaMinBlock)
	}
	if want := int32(n * arenaMinBlock); end != want {
		t.Errorf("%d strings of at most 9 bytes end at %d, want %d", n, end, want)
	}
}
