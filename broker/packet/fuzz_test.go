package packet_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// FuzzDecode checks that Decode never panics, that it reports every
// failure as ErrIncomplete or an *Error, and that whatever it accepts
// encodes back to the same bytes (the remaining length aside, which a
// sender may encode in more bytes than needed) and decodes to the same
// packet. The seed corpus in testdata/fuzz/FuzzDecode holds a valid packet
// of every type and malformed ones.
func FuzzDecode(f *testing.F) {
	var d, d2 packet.Decoder
	f.Fuzz(func(t *testing.T, b []byte) {
		p, n, err := d.Decode(b)
		if err != nil {
			var perr *packet.Error
			if p != nil || n != 0 {
				t.Fatalf("error %v with packet %v, n=%d", err, p, n)
			}
			if err != packet.ErrIncomplete && !errors.As(err, &perr) {
				t.Fatalf("error %v is neither ErrIncomplete nor an *Error", err)
			}
			return
		}
		if n < 2 || n > len(b) {
			t.Fatalf("Decode used %d of %d bytes", n, len(b))
		}
		enc, err := p.Append(nil)
		if err != nil {
			t.Fatalf("Append of a decoded %v: %v", p.Type(), err)
		}
		h, _ := packet.ParseHeader(b, 0)
		he, err := packet.ParseHeader(enc, 0)
		if err != nil || he.Size+he.Remaining != len(enc) {
			t.Fatalf("re-encoded header %+v, %v for %d bytes", he, err, len(enc))
		}
		if enc[0] != b[0] || !bytes.Equal(enc[he.Size:], b[h.Size:n]) {
			t.Fatalf("re-encoded % x, decoded from % x", enc, b[:n])
		}
		q, m, err := d2.Decode(enc)
		if err != nil || m != len(enc) {
			t.Fatalf("Decode of the re-encoded packet: %v (used %d of %d)", err, m, len(enc))
		}
		if !samePacket(p, q) {
			t.Fatalf("round trip changed %+v into %+v", p, q)
		}
	})
}
