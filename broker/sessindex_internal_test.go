package broker

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestIDIndex adds and removes sessions at random, with identifiers
// chosen to collide in a small table, and checks every lookup against a
// map after each step.
func TestIDIndex(t *testing.T) {
	for _, n := range []int{1, 3, 8, 64} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			b := &Broker{sessions: make([]session, n)}
			b.slots.clientIDs.init(make([]byte, arenaBytes(n, 16)), make([]uint8, arenaStates(n, 16)), make([]int32, arenaOrders(16)))
			b.ids.init(make([]int32, idIndexSlots(n)))
			want := map[string]int32{}
			rng := rand.New(rand.NewPCG(1, uint64(n)))
			for step := range 5000 {
				i := rng.IntN(n)
				s := &b.sessions[i]
				s.idx, s.parts = int32(i), &b.slots
				if s.used {
					b.ids.remove(b, s)
					delete(want, string(s.clientID()))
					s.used = false
				} else {
					id := "c" + strconv.Itoa(rng.IntN(4*n))
					if _, taken := want[id]; taken {
						continue
					}
					s.setClientID([]byte(id))
					s.used = true
					b.ids.add(s)
					want[id] = s.idx
				}
				for k := range 4 * n {
					id := "c" + strconv.Itoa(k)
					got := b.ids.find(b, []byte(id))
					idx, ok := want[id]
					switch {
					case ok && (got == nil || got.idx != idx):
						t.Fatalf("step %d: %s not found at session %d", step, id, idx)
					case !ok && got != nil:
						t.Fatalf("step %d: %s found at session %d, never added or removed", step, id, got.idx)
					}
				}
			}
		})
	}
}
