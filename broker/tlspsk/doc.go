// Package tlspsk implements TLS 1.3 (RFC 8446) authenticated by external
// pre-shared keys only: no certificates, no session resumption, no 0-RTT.
// It exists because crypto/tls has no external-PSK support and small
// devices secure MQTT with PSKs instead of certificates.
//
// A Conn wraps any byte stream: ServerOver and ClientOver take an
// io.ReadWriteCloser (a UART, a multiplexed serial channel, a TCP
// connection), which is how boards without a network stack use it. The
// package does not import net, so board builds do not link it; package
// psknet adapts a Conn to net.Conn and wraps net.Listeners, as crypto/tls
// does, for hosts. Deadlines are the transport's when it has them (see
// Conn.SetDeadline).
//
// What is implemented:
//   - key exchange modes psk_ke and psk_dhe_ke, the latter over X25519 or
//     secp256r1 (crypto/ecdh), including HelloRetryRequest on both sides;
//   - cipher suites TLS_AES_128_GCM_SHA256, TLS_AES_128_CCM_SHA256 and
//     TLS_AES_128_CCM_8_SHA256; PSKs are bound to SHA-256;
//   - max_fragment_length (RFC 6066) and record_size_limit (RFC 8449),
//     requested by clients and honoured by servers, so that both ends can
//     run with small fixed record buffers (see BufferBytes);
//   - KeyUpdate in both directions, NewSessionTicket messages skipped,
//     middlebox-compatibility ChangeCipherSpec records dropped, close_notify
//     on Close.
//
// Allocation: once the handshake is done, reading and writing records
// with TLS_AES_128_GCM_SHA256 allocates nothing. The CCM suites are the
// exception: they run on github.com/pion/dtls/v2/pkg/crypto/ccm, which
// allocates inside every Seal and Open, 4 times (560 bytes) per record
// written and 5 times (1584 bytes, a copy of the plaintext among them) per
// 1000-byte record read (Go 1.26, amd64; TestAllocsPerRecord holds the
// counts). The package's own nonce and additional data take no allocation
// for any suite. Servers prefer AES-GCM, which every peer named in this
// project's interop notes offers.
//
// Every failure ends the handshake with the alert RFC 8446 names for it and
// returns an error that wraps one of the package's sentinel errors
// (ErrUnknownIdentity, ErrBadBinder, ...). Alerts received from the peer
// are reported as *AlertError.
//
// One failure is answered as another on purpose: an unknown identity is
// answered as a wrong key, with decrypt_error, after the server has
// checked the first binder against a dummy key, so that neither the alert
// nor the steps taken let a client list the identities a server knows
// (RFC 8446 section 4.2.11 allows a server either alert).
// Config.RevealUnknownIdentity restores unknown_psk_identity. The error
// the server's handshake returns tells the two apart either way.
//
// Limits: a Conn allocates its record buffers once, when it is created, and
// holds them for its lifetime, except that its receive buffer shrinks once
// when the handshake ends: on a server whose client asked for smaller
// records, and on a side whose record limit is below the room the peer's
// unprotected hello needs (256 bytes for a ServerHello, 512 for a
// ClientHello; RFC 8449 does not bind unprotected records). A client's
// request for small records binds only a server that answers it (RFC 8449
// section 4): against one that answers neither extension, as OpenSSL 3.0
// and so mosquitto answer no record_size_limit, the client grows its
// receive buffer once, during the handshake, to the protocol's 16406 bytes,
// or fails with ErrRecordLimitRefused when Config.RequireRecordLimit is set
// (see BufferBytes for the figures). A peer that sends a record larger than
// this side's limit gets a record_overflow alert, so a server built with a
// small RecordSizeLimit only serves clients that ask for small records or
// send small ones. Handshake messages larger than one record's plaintext
// limit, or than that hello room, are refused. The package avoids fmt and
// reflection of its own, but golang.org/x/crypto/cryptobyte, which it uses
// for handshake messages, imports encoding/asn1 (and through it math/big,
// reflect and fmt, which crypto/rand, encoding/binary and encoding/hex link
// in anyway), which costs flash on boards: in a host build of a client over
// a plain stream, what the linker keeps of encoding/asn1 is 1.4 KB and of
// cryptobyte 4.9 KB (Go 1.26, amd64, go tool nm).
//
// On boards (TinyGo 0.37, Go 1.24.11), a program that serves one PSK with
// X25519 over the serial port takes 277 KB of flash and 95 KB of static
// RAM (.data, .bss and .stack) on the Pico, 304 KB and 96 KB on the
// ESP32-C3, where the same serial echo without TLS takes 9 KB and 3 KB,
// 6 KB and 4 KB. 88064 bytes of that RAM, and as much flash, are the
// P-256 precomputed table of Go's nistec, which TinyGo places in .data.
// Config.Groups cannot drop it: the group is chosen at run time, so P-256
// is linked whatever the Config says (built without it, the Pico program
// takes 169 KB and 7 KB). Of encoding/asn1, math/big and crypto/rand's
// system source the linker keeps nothing; of fmt it keeps 16 KB, for the
// fmt.Errorf in cryptobyte.Builder.
package tlspsk
