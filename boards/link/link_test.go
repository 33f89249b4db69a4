package link

import (
	"bytes"
	"io"
	"net"
	"testing"
)

var testConfig = Config{Streams: 4, Window: 8, MaxPayload: 64, StreamBuffer: 256, Epoch: 1}

// pair starts two links over a pair of line ends.
func pair(t testing.TB, a, b io.ReadWriteCloser, ca, cb Config) (*Link, *Link) {
	t.Helper()
	if ca.Epoch == 0 {
		ca.Epoch = 0xA
	}
	if cb.Epoch == 0 {
		cb.Epoch = 0xB
	}
	la, err := New(a, ca)
	if err != nil {
		t.Fatal(err)
	}
	lb, err := New(b, cb)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { la.Close(); lb.Close() })
	return la, lb
}

// openStream opens a stream from host and returns both of its ends.
func openStream(t testing.TB, host, board *Link) (opened, accepted *Stream) {
	t.Helper()
	s, err := host.Open()
	if err != nil {
		t.Fatal(err)
	}
	r, err := board.Accept()
	if err != nil {
		t.Fatal(err)
	}
	return s, r
}

func pipePair(t testing.TB) (*Link, *Link) {
	a, b := net.Pipe()
	c := testConfig
	c.Epoch = 0
	return pair(t, a, b, c, c)
}

func TestStreamRoundTrip(t *testing.T) {
	host, board := pipePair(t)
	s, r := openStream(t, host, board)
	msg := bytes.Repeat([]byte("0123456789"), 200)
	go func() { s.Write(msg); s.Close() }()
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, msg) {
		t.Fatalf("got %d bytes, want %d", len(got), len(msg))
	}
	r.Close()
	eventually(t, "both channels freed", func() bool { return s.Channel() < 0 && r.Channel() < 0 })
}
