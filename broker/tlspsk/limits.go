package tlspsk

// BufferBytes returns the bytes of record buffers a connection holds once
// its handshake is done, when records carry at most recordLimit bytes of
// content in each direction: a receive and a send buffer of
// 5 (header) + recordLimit + 1 (inner content type) + 16 (AEAD tag) bytes.
//
// The record limit follows from the configuration:
//
//	side and configuration               record limit   BufferBytes
//	either, no MFL or RSL (default)      16384          32812
//	client MaxFragmentLength 4096        4096            8236
//	client MaxFragmentLength 2048        2048            4140
//	client MaxFragmentLength 1024        1024            2092
//	client MaxFragmentLength 512         512             1068
//	RecordSizeLimit R (either side)      R-1             2R+42
//
// A server honours the client's request, so its figure after the handshake
// is the same as the client's; before the ClientHello it holds only its
// receive buffer, sized by its own RecordSizeLimit, and during the
// handshake also transcript, key-share and reassembly state that is
// released when the handshake ends.
//
// The rest of an established connection, the Conn, two AEAD key
// schedules and the traffic secrets, adds about 2.5 KB that does not
// depend on the record limit. TestHeapPerConnection measures the whole on
// the host (Go 1.26, AES-GCM, in-memory transport included): about 3.5 KB
// per side with MaxFragmentLength 512, about 38 KB with no limit, where
// the allocator rounds each 16406-byte buffer up to 18432 bytes.
func BufferBytes(recordLimit int) int {
	if recordLimit <= 0 || recordLimit > MaxPlaintext {
		recordLimit = MaxPlaintext
	}
	return 2 * recordBufSize(recordLimit+1)
}
