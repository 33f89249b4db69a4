package packet_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// FuzzDecode checks that Decode never panics, that it reports every
// failure as ErrIncomplete or an *Error, and that whatever it accepts
// encodes back to the same bytes (the remaining length aside, which a
// sender may encode in more bytes than needed) and decodes to the same
// packet. For SUBSCRIBE and UNSUBSCRIBE, the filters Iter walks, built
// into a new packet with NewSubscribe or NewUnsubscribe, must encode to
// the same bytes too: Iter yields every filter the packet carries, and
// the constructors encode them as they travel. The seed corpus in
// testdata/fuzz/FuzzDecode holds a valid packet of every type and
// malformed ones.
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
		if r := rebuild(p); r != nil {
			if encr, err := r.Append(nil); err != nil || !bytes.Equal(encr, enc) {
				t.Fatalf("rebuilt from the filters Iter walks: Append = % x, %v; want % x", encr, err, enc)
			}
		}
	})
}

// rebuild returns a SUBSCRIBE or UNSUBSCRIBE built with NewSubscribe or
// NewUnsubscribe from the filters Iter walks in p, and nil for other
// packets.
func rebuild(p packet.Packet) packet.Packet {
	switch x := p.(type) {
	case *packet.Subscribe:
		var fs []packet.Filter
		it := x.Iter()
		for f, ok := it.Next(); ok; f, ok = it.Next() {
			fs = append(fs, f)
		}
		return packet.NewSubscribe(x.PacketID, fs...)
	case *packet.Unsubscribe:
		var ts [][]byte
		it := x.Iter()
		for t, ok := it.Next(); ok; t, ok = it.Next() {
			ts = append(ts, t)
		}
		return packet.NewUnsubscribe(x.PacketID, ts...)
	}
	return nil
}

// FuzzReader checks the Reader against the Decoder: whatever the chunk
// size of the underlying reads and the buffer size, ReadPacket returns the
// packets that decoding the stream in one piece yields, then the same
// violation, or io.EOF / io.ErrUnexpectedEOF at the end.
func FuzzReader(f *testing.F) {
	for _, tt := range roundTrips {
		f.Add(unhex(f, tt.wire), byte(3), byte(40))
	}
	var stream []byte
	for _, tt := range roundTrips {
		stream = append(stream, unhex(f, tt.wire)...)
	}
	f.Add(stream, byte(7), byte(36))
	f.Add(stream, byte(1), byte(255))
	f.Add(append(stream[:40:40], 0x62, 0x02, 0, 0), byte(5), byte(36))
	f.Fuzz(func(t *testing.T, data []byte, chunk, bufSize byte) {
		size := int(bufSize)
		if size < 2 || chunk == 0 {
			return
		}
		d := &packet.Decoder{MaxPacketSize: size}
		r := packet.NewReader(&chunkReader{data: data, n: int(chunk)}, make([]byte, size))
		rest := data
		for {
			want, n, wantErr := d.Decode(rest)
			got, err := r.ReadPacket()
			switch {
			case wantErr == nil:
				if err != nil || !samePacket(got, want) {
					t.Fatalf("ReadPacket = %+v, %v; Decode = %+v", got, err, want)
				}
				rest = rest[n:]
				continue
			case wantErr != packet.ErrIncomplete:
				var we *packet.Error
				errors.As(wantErr, &we)
				// A buffer shorter than a five-byte header refuses it
				// before it can see a bad remaining length.
				early := size < 5 && errors.Is(err, packet.ErrPacketTooLarge)
				if !errors.Is(err, we.Err) && !early {
					t.Fatalf("ReadPacket error %v, Decode error %v", err, wantErr)
				}
			case len(rest) == 0:
				if err != io.EOF {
					t.Fatalf("ReadPacket = %v at the end of the stream, want io.EOF", err)
				}
			default:
				// A header that runs past the buffer is refused before the
				// stream ends.
				if err != io.ErrUnexpectedEOF && !errors.Is(err, packet.ErrPacketTooLarge) {
					t.Fatalf("ReadPacket = %v with %d bytes of a packet left, want io.ErrUnexpectedEOF", err, len(rest))
				}
			}
			return
		}
	})
}
