// Package pskstreams serves a firmware core's link streams as MQTT over
// TLS 1.3 with an external pre-shared key (broker/tlspsk) beside plain
// MQTT: a stream whose first byte opens a TLS handshake record is a
// TLS-PSK server connection, any other is plain MQTT. Its Hook is what a
// binding sets as firmware.Options.Streams.
//
// It lives apart from package firmware so that only the bindings that
// can afford TLS import it: the Go twin (cmd/gatomqtt-twin) does, the
// TinyGo images do not, since tlspsk's P-256 table alone would take a
// third of a Pico's RAM (TinyGo places it in .data). It adds no import
// beyond what tlspsk itself brings, so a board with the RAM could link
// it.
package pskstreams

import (
	"io"
	"sync"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
)

// RecordLimit is the largest record plaintext a board's TLS-PSK server
// takes: the board's largest MQTT packet rounded up to the next
// max_fragment_length (RFC 6066: 512, 1024, 2048 or 4096 bytes), so that
// every packet the broker accepts fits one record while the receive
// buffer stays board-sized rather than 16 KiB: 5+513+16 bytes on the
// Pico, whose packets are at most 384 bytes, 5+1025+16 on the ESP32-C3
// (640). The server advertises it as record_size_limit (RecordLimit+1) to
// clients that offer that extension; clients asking for smaller records
// by either extension get them both ways, as tlspsk's server honours
// both.
func RecordLimit(p *boards.Profile) int {
	for _, n := range []int{512, 1024, 2048, 4096} {
		if p.Limits.MaxPacketSize <= n {
			return n
		}
	}
	return tlspsk.MaxPlaintext
}

// Config is the TLS-PSK server configuration of a board p serving psk:
// every key exchange mode (psk_dhe_ke preferred), cipher suite and group
// tlspsk implements, and the board's record limit. An unusable psk (an
// empty identity or key) is an error wrapping tlspsk.ErrConfig.
func Config(p *boards.Profile, psk tlspsk.PSK) (*tlspsk.Config, error) {
	cfg := &tlspsk.Config{
		PSKs:             []tlspsk.PSK{psk},
		KeyExchangeModes: []tlspsk.KeyExchangeMode{tlspsk.KeyExchangePSKDHE, tlspsk.KeyExchangePSK},
		CipherSuites:     tlspsk.DefaultCipherSuites,
		Groups:           []tlspsk.Group{tlspsk.X25519, tlspsk.P256},
		RecordSizeLimit:  RecordLimit(p) + 1,
	}
	if err := cfg.CheckServer(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// recordHandshake is the content type of a TLS handshake record, the
// first byte every TLS client sends. An MQTT client's first byte is
// CONNECT's, 0x10.
const recordHandshake = 0x16

// Hook returns a firmware.Options.Streams hook that serves each stream
// opening with a TLS handshake record as MQTT over TLS-PSK with cfg, any
// other as plain MQTT with its first byte put back. A board's link
// streams carry no kind, so the first byte is what tells them apart, as
// it is for a broker serving both on one port.
func Hook(cfg *tlspsk.Config) func(io.ReadWriteCloser) io.ReadWriteCloser {
	return func(s io.ReadWriteCloser) io.ReadWriteCloser {
		return &sniffed{raw: s, cfg: cfg, ready: make(chan struct{})}
	}
}

// sniffed is a stream that decides on its first Read (or Write) whether
// it carries TLS or plain MQTT. Deciding there, not in the hook, keeps
// the wait for the first byte inside the broker's connect timeout, whose
// Close ends it.
type sniffed struct {
	raw io.ReadWriteCloser
	cfg *tlspsk.Config

	decide sync.Once
	ready  chan struct{} // closed once conn and err are set
	conn   io.ReadWriteCloser
	err    error

	close    sync.Once
	closeErr error
}

// sniff reads the first byte and picks the connection to serve.
func (s *sniffed) sniff() {
	s.decide.Do(func() {
		defer close(s.ready)
		var b [1]byte
		if _, err := io.ReadFull(s.raw, b[:]); err != nil {
			s.conn, s.err = s.raw, err
			return
		}
		s.conn = &unread{ReadWriteCloser: s.raw, b: b[:]}
		if b[0] == recordHandshake {
			s.conn = tlspsk.ServerOver(s.conn, s.cfg)
		}
	})
}

func (s *sniffed) Read(p []byte) (int, error) {
	s.sniff()
	if s.err != nil {
		return 0, s.err
	}
	return s.conn.Read(p)
}

// Write waits for the client's first byte: the broker writes nothing
// before it has read a CONNECT, and a TLS server nothing before the
// ClientHello.
func (s *sniffed) Write(p []byte) (int, error) {
	s.sniff()
	if s.err != nil {
		return 0, s.err
	}
	return s.conn.Write(p)
}

// Close closes the TLS connection (sending close_notify once its
// handshake is done) or the plain stream; before the first byte has come
// it closes the stream, which ends the wait for it.
func (s *sniffed) Close() error {
	s.close.Do(func() {
		select {
		case <-s.ready:
			s.closeErr = s.conn.Close()
		default:
			s.closeErr = s.raw.Close()
		}
	})
	return s.closeErr
}

// unread is a stream with bytes already read from it put back in front.
type unread struct {
	io.ReadWriteCloser
	b []byte
}

func (u *unread) Read(p []byte) (int, error) {
	if len(u.b) > 0 {
		n := copy(p, u.b)
		u.b = u.b[n:]
		return n, nil
	}
	return u.ReadWriteCloser.Read(p)
}
