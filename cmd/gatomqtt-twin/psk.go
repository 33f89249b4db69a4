package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
)

// pskKeyBytes is the length of the key the twin draws when it is given
// none: 256 bits, as the harness's own targets use.
const pskKeyBytes = 32

// minPSKKeyBytes is the shortest key the twin accepts, 128 bits, as
// cmd/gatomqtt's psk file does.
const minPSKKeyBytes = 16

// pskFlags are the TLS-PSK flags as given.
type pskFlags struct {
	on       bool   // -psk
	identity string // -psk-identity
	key      string // -psk-key, hex
}

// pskSetup is what the twin serves TLS-PSK with: the identity and key,
// and whether it drew the key itself (then it says so on stderr, since
// nothing else tells the host).
type pskSetup struct {
	psk   tlspsk.PSK
	drawn bool
}

// parse checks the flags: TLS-PSK is on with -psk or -psk-key, the
// identity defaults to one drawn at random, and a missing key is drawn.
// It returns nil when TLS-PSK is off.
func (f pskFlags) parse() (*pskSetup, error) {
	if !f.on && f.key == "" {
		if f.identity != "" {
			return nil, errors.New("-psk-identity needs -psk or -psk-key")
		}
		return nil, nil
	}
	s := &pskSetup{psk: tlspsk.PSK{Identity: f.identity}}
	if len(s.psk.Identity) > 255 {
		// The hello carries it in a field of at most 255 bytes.
		return nil, fmt.Errorf("-psk-identity is %d bytes, more than the hello's 255", len(s.psk.Identity))
	}
	if f.key != "" {
		key, err := hex.DecodeString(f.key)
		if err != nil {
			return nil, fmt.Errorf("-psk-key: not hex: %w", err)
		}
		if len(key) < minPSKKeyBytes {
			return nil, fmt.Errorf("-psk-key: %d bytes, want at least %d (128 bits)", len(key), minPSKKeyBytes)
		}
		s.psk.Key = key
	} else {
		s.psk.Key = make([]byte, pskKeyBytes)
		if _, err := rand.Read(s.psk.Key); err != nil {
			return nil, fmt.Errorf("draw a TLS-PSK key: %w", err)
		}
		s.drawn = true
	}
	if s.psk.Identity == "" {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("draw a TLS-PSK identity: %w", err)
		}
		s.psk.Identity = "gatomqtt-twin-" + hex.EncodeToString(b[:])
	}
	return s, nil
}

// pskRecordLimit is the largest record plaintext the twin takes from a
// TLS-PSK client: the board's largest MQTT packet rounded up to the
// next max_fragment_length (RFC 6066: 512, 1024, 2048 or 4096 bytes), so
// that every packet the broker accepts fits one record while the receive
// buffer stays board-sized (5+513+16 bytes on the Pico, whose packets are
// at most 384 bytes; 5+1025+16 on the ESP32-C3, 640) rather than
// 16 KiB. The twin advertises it as record_size_limit (limit+1) to
// clients that offer the extension; clients asking for smaller records,
// by either extension, down to 512 (or 64 with record_size_limit) get
// them both ways, as tlspsk's server honours both.
func pskRecordLimit(p *boards.Profile) int {
	for _, n := range []int{512, 1024, 2048, 4096} {
		if p.Limits.MaxPacketSize <= n {
			return n
		}
	}
	return tlspsk.MaxPlaintext
}

// serverConfig is the twin's TLS-PSK server: its one identity, every key
// exchange mode (psk_dhe_ke preferred), cipher suite and group tlspsk
// implements, and the board's record limit.
func (s *pskSetup) serverConfig(p *boards.Profile) (*tlspsk.Config, error) {
	cfg := &tlspsk.Config{
		PSKs:             []tlspsk.PSK{s.psk},
		KeyExchangeModes: []tlspsk.KeyExchangeMode{tlspsk.KeyExchangePSKDHE, tlspsk.KeyExchangePSK},
		CipherSuites:     tlspsk.DefaultCipherSuites,
		Groups:           []tlspsk.Group{tlspsk.X25519, tlspsk.P256},
		RecordSizeLimit:  pskRecordLimit(p) + 1,
	}
	if err := cfg.CheckServer(); err != nil {
		return nil, fmt.Errorf("TLS-PSK server configuration: %w", err)
	}
	return cfg, nil
}

// recordHandshake is the content type of a TLS handshake record, the
// first byte every TLS client sends. An MQTT client's first byte is
// CONNECT's, 0x10.
const recordHandshake = 0x16

// pskStreams returns the firmware's Streams hook: each stream whose first
// byte opens a TLS handshake record is served as MQTT over TLS-PSK with
// cfg, any other as plain MQTT with that byte put back. A board's link
// streams carry no kind, so the first byte is what tells them apart, as
// it is for a broker serving both on one port.
func pskStreams(cfg *tlspsk.Config) func(io.ReadWriteCloser) io.ReadWriteCloser {
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
