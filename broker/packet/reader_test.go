package packet_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// allPackets returns the round-trip table as one stream.
func allPackets(t *testing.T) []byte {
	var stream []byte
	for _, tt := range roundTrips {
		stream = append(stream, unhex(t, tt.wire)...)
	}
	return stream
}

// chunkReader hands out its data n bytes per Read.
type chunkReader struct {
	data []byte
	n    int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := min(r.n, len(p), len(r.data))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

// stallReader hands out its data, then fails the test instead of blocking
// as a network connection would.
type stallReader struct {
	t    *testing.T
	data []byte
}

func (r *stallReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		r.t.Error("Read called again: ReadPacket waited for bytes it did not need")
		return 0, io.ErrClosedPipe
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestReaderStream(t *testing.T) {
	stream := allPackets(t)
	largest := 0
	for _, tt := range roundTrips {
		largest = max(largest, len(unhex(t, tt.wire)))
	}
	for _, tc := range []struct {
		name string
		r    io.Reader
		buf  int
	}{
		{"whole stream", bytes.NewReader(stream), 4096},
		{"one byte at a time", iotest.OneByteReader(bytes.NewReader(stream)), largest},
		{"7-byte chunks, tight buffer", &chunkReader{data: stream, n: 7}, largest},
		{"half-buffer chunks", &chunkReader{data: stream, n: largest / 2}, largest + 1},
		{"data with EOF", iotest.DataErrReader(bytes.NewReader(stream)), largest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := packet.NewReader(tc.r, make([]byte, tc.buf))
			for _, tt := range roundTrips {
				p, err := r.ReadPacket()
				if err != nil {
					t.Fatalf("%s: ReadPacket: %v", tt.name, err)
				}
				if !samePacket(p, tt.p) {
					t.Fatalf("%s: ReadPacket = %+v, want %+v", tt.name, p, tt.p)
				}
			}
			for range 2 {
				if p, err := r.ReadPacket(); err != io.EOF {
					t.Errorf("after the last packet: ReadPacket = %v, %v; want io.EOF", p, err)
				}
			}
		})
	}
}

func TestReaderErrors(t *testing.T) {
	pub := unhex(t, "32 07 0001 74 0007 0102")
	for _, tc := range []struct {
		name string
		data []byte
		buf  int
		want error
	}{
		{"empty stream", nil, 16, io.EOF},
		{"cut in the header", []byte{0x30}, 16, io.ErrUnexpectedEOF},
		{"cut in the body", pub[:5], 16, io.ErrUnexpectedEOF},
		{"malformed packet", unhex(t, "40 02 0000"), 16, packet.ErrZeroPacketID},
		{"bad remaining length", unhex(t, "30 ff ff ff ff"), 16, packet.ErrRemainingLength},
		{"packet one byte larger than the buffer", pub, len(pub) - 1, packet.ErrPacketTooLarge},
		{"header longer than the buffer", unhex(t, "30 80 80 01"), 3, packet.ErrPacketTooLarge},
		{"buffer too small for any packet", unhex(t, "c0 00"), 1, packet.ErrBufferFull},
	} {
		r := packet.NewReader(bytes.NewReader(tc.data), make([]byte, tc.buf))
		if _, err := r.ReadPacket(); !errors.Is(err, tc.want) {
			t.Errorf("%s: ReadPacket = %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestReaderRefusesEarly checks that ReadPacket refuses a packet from its
// fixed header, without waiting for a body that may never come.
func TestReaderRefusesEarly(t *testing.T) {
	for _, tc := range []struct {
		name string
		head string
		dec  *packet.Decoder
		want error
	}{
		{"larger than the buffer", "30 ff 7f", nil, packet.ErrPacketTooLarge},
		{"larger than the decoder allows", "30 20", &packet.Decoder{MaxPacketSize: 32}, packet.ErrPacketTooLarge},
		{"reserved flags", "80 10", nil, packet.ErrReservedFlags},
		{"reserved type", "f0 10", nil, packet.ErrUnknownType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := packet.NewReader(&stallReader{t: t, data: unhex(t, tc.head)}, make([]byte, 64))
			if tc.dec != nil {
				r.Decoder = tc.dec
			}
			if _, err := r.ReadPacket(); !errors.Is(err, tc.want) {
				t.Errorf("ReadPacket = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestReaderTimeout checks that a read error such as a deadline is
// returned once and that reading resumes where it stopped.
func TestReaderTimeout(t *testing.T) {
	stream := allPackets(t)
	r := packet.NewReader(iotest.TimeoutReader(&chunkReader{data: stream, n: 3}), make([]byte, 64))
	// The first read gives 3 bytes of the 14-byte CONNECT, the second times out.
	if _, err := r.ReadPacket(); err != iotest.ErrTimeout {
		t.Fatalf("ReadPacket = %v, want iotest.ErrTimeout", err)
	}
	if r.Buffered() != 3 {
		t.Errorf("Buffered = %d after the timeout, want 3", r.Buffered())
	}
	for _, tt := range roundTrips {
		p, err := r.ReadPacket()
		if err != nil || !samePacket(p, tt.p) {
			t.Fatalf("%s: ReadPacket = %+v, %v", tt.name, p, err)
		}
	}
	if _, err := r.ReadPacket(); err != io.EOF {
		t.Errorf("ReadPacket = %v, want io.EOF", err)
	}
}

func TestReaderBufferedAndReset(t *testing.T) {
	two := unhex(t, "c0 00 d0 00")
	r := packet.NewReader(bytes.NewReader(two), make([]byte, 16))
	p, err := r.ReadPacket()
	if err != nil || p.Type() != packet.PINGREQ || r.Buffered() != 2 {
		t.Fatalf("ReadPacket = %v, %v, Buffered %d; want PINGREQ with 2 bytes left", p, err, r.Buffered())
	}
	r.Reset(bytes.NewReader(unhex(t, "e0 00")))
	if r.Buffered() != 0 {
		t.Errorf("Buffered = %d after Reset", r.Buffered())
	}
	if p, err := r.ReadPacket(); err != nil || p.Type() != packet.DISCONNECT {
		t.Errorf("after Reset: ReadPacket = %v, %v; want DISCONNECT", p, err)
	}
}

// zeroReader never returns data nor an error.
type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

func TestReaderNoProgress(t *testing.T) {
	r := packet.NewReader(zeroReader{}, make([]byte, 16))
	if _, err := r.ReadPacket(); err != io.ErrNoProgress {
		t.Errorf("ReadPacket = %v, want io.ErrNoProgress", err)
	}
}

// TestReaderInit checks that a Reader set up by Init in place reads like
// one from NewReader, with the Decoder it was given, and that Init
// allocates nothing.
func TestReaderInit(t *testing.T) {
	stream := allPackets(t)
	var r packet.Reader
	var d packet.Decoder
	buf := make([]byte, 4096)
	src := bytes.NewReader(nil)
	if n := testing.AllocsPerRun(10, func() { r.Init(src, buf, &d) }); n != 0 {
		t.Errorf("Init: %v allocations, want 0", n)
	}
	r.Init(&chunkReader{data: stream, n: 7}, buf, &d)
	if r.Decoder != &d {
		t.Fatal("Init did not keep the Decoder it was given")
	}
	for _, tt := range roundTrips {
		p, err := r.ReadPacket()
		if err != nil || !samePacket(p, tt.p) {
			t.Fatalf("%s: ReadPacket = %+v, %v", tt.name, p, err)
		}
	}
	if _, err := r.ReadPacket(); err != io.EOF {
		t.Errorf("after the last packet: ReadPacket = %v, want io.EOF", err)
	}
	// The limit is the Decoder's, as after NewReader and a new Decoder.
	d.MaxPacketSize = 8
	r.Init(bytes.NewReader(unhex(t, "30 20")), buf, &d)
	if _, err := r.ReadPacket(); !errors.Is(err, packet.ErrPacketTooLarge) {
		t.Errorf("32-byte PUBLISH with a Decoder limit of 8: ReadPacket = %v, want ErrPacketTooLarge", err)
	}
}
