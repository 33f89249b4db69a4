//go:build !tinygo

package broker

import "unsafe"

// The Go runtime's heap gives a small object a whole size class, and an
// object larger than the largest class whole pages.
const (
	maxSmallObject = 32 << 10 // the largest size class
	heapPage       = 8 << 10  // the page of a large object
)

// makeTable returns n zeroed Ts in one allocation and adds to *total the
// bytes the heap gives for it.
//
// A small table is allocated by appending to a nil slice, which takes a
// whole size class and returns all of it as capacity, as bytes.Buffer
// relies on; the capacity tells the size, short of the part of the class
// too small for one more T (and the 8-byte header of a table with
// pointers above 512 bytes): none for bytes and int32, less than one
// element for a table of structures. The compiler elides the make, except
// in instrumented builds (-race, -N), where it is an allocation of its
// own, garbage at once.
//
// A large table comes from make, since pages fresh from the operating
// system need no clearing and stay unmapped until they are used, where
// append would clear them; it takes whole pages.
func makeTable[T any](total *int, n int) []T {
	elem := int(unsafe.Sizeof(*new(T)))
	if size := n * elem; size > maxSmallObject {
		*total += (size + heapPage - 1) / heapPage * heapPage
		return make([]T, n)
	}
	t := append([]T(nil), make([]T, n)...)
	*total += cap(t) * elem
	return t[:n:n]
}
