package tlspsk

// Room for the unprotected hello messages. RFC 8449 section 4 binds only
// protected records to record_size_limit, and peers send their
// ClientHello or ServerHello in one record whatever the limit, so until
// keys are set a side takes records and hello messages of at least this
// many plaintext bytes, and shrinks its receive buffer to its record limit
// when the handshake ends.
const (
	// serverHelloRoom, on a client: a ServerHello with a P-256 share is
	// 129 bytes, an X25519 one 97, and a HelloRetryRequest is about 60
	// bytes plus its cookie.
	serverHelloRoom = 256
	// clientHelloRoom, on a server: OpenSSL 3.0 sends a 274-byte
	// ClientHello with a 7-byte identity and an X25519 share, 289 with
	// P-256; this package's client sends 207 with P-256. The rest is for
	// longer identities.
	clientHelloRoom = 512
)

// helloRoom is the hello plaintext a side must take unprotected.
func helloRoom(isClient bool) int {
	if isClient {
		return serverHelloRoom
	}
	return clientHelloRoom
}

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
// The client's figure holds only if the server answers its request. A
// server that answers neither record_size_limit nor max_fragment_length
// (OpenSSL 3.0 answers no record_size_limit; mosquitto runs on it) may
// send records of 2^14 bytes, so the client's receive buffer grows during
// the handshake to the full 16406 bytes while its send buffer keeps the
// size asked for:
//
//	client configuration, server answers neither   BufferBytes held
//	RecordSizeLimit R                              16406 + R+21
//	RecordSizeLimit 513                            16940
//	MaxFragmentLength M (and RecordSizeLimit R)    16406 + max(M, R-1)+22
//
// A client built with Config.RequireRecordLimit fails such a handshake
// with ErrRecordLimitRefused instead, and never holds a 16 KiB buffer.
//
// This package's server honours the client's request, so its figure
// after the handshake is the same as the client's; before the ClientHello
// it holds only its receive buffer, sized by its own RecordSizeLimit (but
// see the hello room below), and
// during the handshake also transcript, key-share and reassembly state
// that is released when the handshake ends.
//
// Until the handshake ends, a small limit costs a little more. RFC 8449
// binds protected records only, and a peer sends its hello whole, so
// while records are unprotected a client takes ServerHello records of up
// to 256 bytes and a server ClientHello records of up to 512, whatever
// their limits, and both reassemble hellos of that size. The receive
// buffer is at least 261 bytes on a client and 517 on a server, and
// shrinks to the figure above when the handshake ends; a hello split
// over records may add a reassembly buffer of 260 or 516 bytes:
//
//	side, RecordSizeLimit 64 (both sides)   during handshake        after
//	client                                  261 + 85                170
//	server                                  517, + 85 once it has   170
//	                                        read the ClientHello
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
