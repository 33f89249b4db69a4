package pskstreams

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
)

var testPSK = tlspsk.PSK{Identity: "board-7", Key: bytes.Repeat([]byte{0x42}, 16)}

// served runs the hook on one end of a pipe and echoes what the wrapped
// stream reads, as a broker would answer; it returns the other end.
func served(t *testing.T, cfg *tlspsk.Config) (net.Conn, io.ReadWriteCloser) {
	t.Helper()
	client, dev := net.Pipe()
	s := Hook(cfg)(dev)
	go func() {
		buf := make([]byte, 64)
		for {
			n, err := s.Read(buf)
			if err != nil {
				s.Close()
				return
			}
			if _, err := s.Write(buf[:n]); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { client.Close(); s.Close() })
	client.SetDeadline(time.Now().Add(10 * time.Second))
	return client, s
}

func config(t *testing.T, p *boards.Profile) *tlspsk.Config {
	t.Helper()
	cfg, err := Config(p, testPSK)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestPlainStreamKeepsItsFirstByte(t *testing.T) {
	client, _ := served(t, config(t, &boards.Pico))
	msg := []byte{0x10, 0x0d, 0, 4, 'M', 'Q', 'T', 'T'}
	go client.Write(msg) // a pipe: the echo comes back while it writes
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(client, got); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("echo %x %v, want %x", got, err, msg)
	}
}

func TestTLSStreamIsServedOverTLSPSK(t *testing.T) {
	for _, p := range boards.Profiles {
		t.Run(p.Name, func(t *testing.T) {
			client, _ := served(t, config(t, p))
			c := tlspsk.ClientOver(client, &tlspsk.Config{PSK: testPSK, RecordSizeLimit: 64})
			defer c.Close()
			msg := []byte("MQTT over TLS-PSK")
			if _, err := c.Write(msg); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, len(msg))
			if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
				t.Fatalf("echo %q %v", got, err)
			}
			// Records of 64 bytes at most both ways, as the client asked;
			// the server's own limit is the board's.
			if st := c.ConnectionState(); st.PeerRecordSizeLimit != RecordLimit(p)+1 || st.ReceiveLimit != 63 {
				t.Errorf("negotiated %+v, want the server's record_size_limit %d", st, RecordLimit(p)+1)
			}
		})
	}
}

// TestCloseBeforeFirstByte: the broker's connect timeout closes a stream
// whose client sent nothing; that must end the wait for its first byte.
func TestCloseBeforeFirstByte(t *testing.T) {
	_, dev := net.Pipe()
	s := Hook(config(t, &boards.Pico))(dev)
	read := make(chan error, 1)
	go func() {
		_, err := s.Read(make([]byte, 1))
		read <- err
	}()
	// The Read waits for a first byte that never comes.
	select {
	case err := <-read:
		t.Fatalf("Read returned %v before any byte or Close", err)
	case <-time.After(10 * time.Millisecond):
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-read:
		if !errors.Is(err, io.ErrClosedPipe) {
			t.Errorf("Read after Close: %v, want the stream's close error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read still waiting for a first byte after Close")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestRecordLimit(t *testing.T) {
	for _, tt := range []struct{ packet, want int }{
		{100, 512}, {384, 512}, {512, 512}, {513, 1024}, {640, 1024}, {4096, 4096}, {4097, tlspsk.MaxPlaintext},
	} {
		p := boards.Pico
		p.Limits.MaxPacketSize = tt.packet
		if got := RecordLimit(&p); got != tt.want {
			t.Errorf("MaxPacketSize %d: record limit %d, want %d", tt.packet, got, tt.want)
		}
	}
	if _, err := Config(&boards.Pico, tlspsk.PSK{Identity: "no key"}); !errors.Is(err, tlspsk.ErrConfig) {
		t.Errorf("Config without a key: %v, want ErrConfig", err)
	}
}
