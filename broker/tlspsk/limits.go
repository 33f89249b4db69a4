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
// receive buffer, sized by its own RecordSizeLimit. The rest of a
// connection's state, the AEAD key schedules, traffic secrets and the Conn
// itself, adds a few kilobytes that do not depend on the record limit;
// TestHeapPerConnection measures the whole.
func BufferBytes(recordLimit int) int {
	if recordLimit <= 0 || recordLimit > MaxPlaintext {
		recordLimit = MaxPlaintext
	}
	return 2 * recordBufSize(recordLimit+1)
}
