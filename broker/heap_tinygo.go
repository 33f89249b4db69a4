//go:build tinygo

package broker

import "unsafe"

// heapBlock is the unit of TinyGo's heap: its block allocator
// (gc=conservative, the boards' default, and gc=precise) gives every
// allocation whole blocks of four words.
const heapBlock = 4 * int(unsafe.Sizeof(uintptr(0)))

// makeTable returns n zeroed Ts in one allocation and adds to *total the
// bytes the heap gives for it: whole blocks, and with gc=precise one word
// more, which is not counted. TinyGo's append would round the length up
// to a power of two, so the table comes from make.
func makeTable[T any](total *int, n int) []T {
	size := n * int(unsafe.Sizeof(*new(T)))
	*total += (size + heapBlock - 1) / heapBlock * heapBlock
	return make([]T, n)
}
