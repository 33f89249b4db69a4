package broker

// MappedBytes is what b's tables take outside the Go heap (see mapTable).
func MappedBytes(b *Broker) int {
	n := 0
	for _, m := range b.mapped {
		n += len(m)
	}
	return n
}
