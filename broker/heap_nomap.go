//go:build tinygo || !unix

package broker

// mapTable returns n zeroed Ts for a table of New from the heap, and adds
// to t.total the bytes it takes: boards have no mappings, and other hosts
// are not served by this one's.
func mapTable[T flat](t *tables, n int) []T { return makeTable[T](&t.total, n) }

func (t *tables) release(*Broker) {}
