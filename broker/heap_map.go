//go:build !tinygo && unix

package broker

import (
	"runtime"
	"syscall"
	"unsafe"
)

// mapThreshold is the smallest table mapTable maps: below it the heap
// rounds little and clearing costs little.
const mapThreshold = 1 << 20

// mapTable returns n zeroed Ts for a table of New, and adds to t.total the
// bytes it takes. A table of at least mapThreshold bytes is an anonymous
// mapping of its own rather than a heap object: the kernel commits its
// pages as they are first written, where the Go heap clears a large
// object that lands on pages it used before, committing every page of it
// at once (a host broker sized for 20 000 sessions started with 1.2 GB
// resident one time in six that way), and the collector neither scans it
// nor counts it as live heap when it paces itself. The mappings are
// released when the Broker is unreachable (see tables.release).
func mapTable[T flat](t *tables, n int) []T {
	size := n * int(unsafe.Sizeof(*new(T)))
	if size < mapThreshold {
		return makeTable[T](&t.total, n)
	}
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
	if err != nil {
		// Out of mappings or address space: the heap may still have it.
		return makeTable[T](&t.total, n)
	}
	t.mapped = append(t.mapped, mem)
	t.total += len(mem) // whole pages
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(mem))), n)
}

// release unmaps t's mappings once b is unreachable: no slot, reader or
// writer can use them then, since each holds b.
func (t *tables) release(b *Broker) {
	if len(t.mapped) == 0 {
		return
	}
	runtime.AddCleanup(b, func(mapped [][]byte) {
		for _, m := range mapped {
			syscall.Munmap(m)
		}
	}, t.mapped)
}
