//go:build linux

package main

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/boards/firmware/pskstreams"
	"github.com/gatomqtt/gatomqtt/boards/link"
	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
)

var testPSK = tlspsk.PSK{Identity: "twin-test", Key: bytes.Repeat([]byte{0x7e}, 32)}

func pskArgs(board string) []string {
	return []string{"-board", board, "-psk-identity", testPSK.Identity, "-psk-key", hex.EncodeToString(testPSK.Key)}
}

// dialPSK opens a link stream and runs a TLS-PSK client handshake over
// it with psk and configure, bounded by patience.
func dialPSK(t *testing.T, l *link.Link, psk tlspsk.PSK, configure func(*tlspsk.Config)) (*tlspsk.Conn, error) {
	t.Helper()
	s, err := l.Open()
	if err != nil {
		t.Fatalf("open a stream: %v", err)
	}
	cfg := &tlspsk.Config{PSK: psk, KeyExchangeModes: []tlspsk.KeyExchangeMode{tlspsk.KeyExchangePSKDHE}}
	if configure != nil {
		configure(cfg)
	}
	c := tlspsk.ClientOver(s, cfg)
	t.Cleanup(func() { c.Close() })
	done := make(chan error, 1)
	go func() { done <- c.Handshake() }()
	select {
	case err := <-done:
		return c, err
	case <-time.After(patience):
		c.Close()
		t.Fatalf("no TLS-PSK handshake in %v", patience)
		return nil, nil
	}
}

// TestTwinServesTLSPSK runs each board's twin with a TLS-PSK key and talks
// MQTT over TLS on link streams, in every mode, group and suite, and with
// small records, beside a plain MQTT stream: a message crosses from one to
// the other both ways.
func TestTwinServesTLSPSK(t *testing.T) {
	configs := []struct {
		name      string
		configure func(*tlspsk.Config)
		check     func(tlspsk.ConnectionState) bool
	}{
		{"psk_dhe_ke x25519 gcm", nil, func(s tlspsk.ConnectionState) bool {
			return s.KeyExchangeMode == tlspsk.KeyExchangePSKDHE && s.Group == tlspsk.X25519 && s.CipherSuite == tlspsk.TLS_AES_128_GCM_SHA256
		}},
		{"psk_dhe_ke p256 ccm_8", func(c *tlspsk.Config) {
			c.Groups = []tlspsk.Group{tlspsk.P256}
			c.CipherSuites = []tlspsk.CipherSuite{tlspsk.TLS_AES_128_CCM_8_SHA256}
		}, func(s tlspsk.ConnectionState) bool {
			return s.Group == tlspsk.P256 && s.CipherSuite == tlspsk.TLS_AES_128_CCM_8_SHA256
		}},
		{"psk_ke ccm", func(c *tlspsk.Config) {
			c.KeyExchangeModes = []tlspsk.KeyExchangeMode{tlspsk.KeyExchangePSK}
			c.CipherSuites = []tlspsk.CipherSuite{tlspsk.TLS_AES_128_CCM_SHA256}
		}, func(s tlspsk.ConnectionState) bool {
			return s.KeyExchangeMode == tlspsk.KeyExchangePSK && s.CipherSuite == tlspsk.TLS_AES_128_CCM_SHA256
		}},
		{"max_fragment_length 512", func(c *tlspsk.Config) { c.MaxFragmentLength = 512 }, func(s tlspsk.ConnectionState) bool {
			return s.MaxFragmentLength == 512 && s.SendLimit == 512 && s.ReceiveLimit == 512
		}},
	}
	for _, p := range boards.Profiles {
		t.Run(p.Name, func(t *testing.T) {
			path := startTwin(t, pskArgs(p.Name)...)
			l, c := host(t, path, p)
			checkHelloPSK(t, c, p, "go twin", testPSK.Identity)

			plain := dialMQTT(t, l, "plain")
			plain.send(packet.NewSubscribe(1, packet.Filter{Topic: []byte("psk/in"), QoS: 0}))
			if _, ok := plain.recv().(*packet.Suback); !ok {
				t.Fatal("no SUBACK on the plain stream")
			}
			for i, cfg := range configs {
				tc, err := dialPSK(t, l, testPSK, cfg.configure)
				if err != nil {
					t.Fatalf("%s: handshake: %v", cfg.name, err)
				}
				if st := tc.ConnectionState(); !cfg.check(st) {
					t.Errorf("%s: negotiated %+v", cfg.name, st)
				}
				m := connectMQTT(t, tc, "psk-"+string(rune('a'+i)))
				m.send(packet.NewSubscribe(1, packet.Filter{Topic: []byte("psk/out"), QoS: 0}))
				if _, ok := m.recv().(*packet.Suback); !ok {
					t.Fatalf("%s: no SUBACK over TLS-PSK", cfg.name)
				}
				// The board's largest payload, over TLS and back.
				body := bytes.Repeat([]byte{'x'}, p.Limits.MaxPayloadSize)
				m.send(packet.Publish{Topic: []byte("psk/in"), Payload: body})
				if r, ok := plain.recv().(*packet.Publish); !ok || !bytes.Equal(r.Payload, body) {
					t.Fatalf("%s: the plain subscriber got %+v", cfg.name, r)
				}
				plain.send(packet.Publish{Topic: []byte("psk/out"), Payload: body})
				if r, ok := m.recv().(*packet.Publish); !ok || !bytes.Equal(r.Payload, body) {
					t.Fatalf("%s: the TLS-PSK subscriber got %+v", cfg.name, r)
				}
				m.send(packet.Disconnect{})
				if _, err := m.next(); err == nil {
					t.Errorf("%s: a packet after DISCONNECT", cfg.name)
				}
			}

			st, err := c.Stats(patience)
			if err != nil {
				t.Fatal(err)
			}
			if st.Connections != 1 || st.ProtocolErrors != 0 {
				t.Errorf("stats = %+v, want the plain connection alone and no protocol error", st)
			}
		})
	}
}

// TestTwinTLSPSKRecordLimit checks the record_size_limit the twin
// advertises: the board's largest packet rounded up to a fragment length.
func TestTwinTLSPSKRecordLimit(t *testing.T) {
	for _, tt := range []struct {
		p     *boards.Profile
		limit int
	}{{&boards.Pico, 512}, {&boards.ESP32C3, 1024}} {
		if got := pskstreams.RecordLimit(tt.p); got != tt.limit {
			t.Errorf("%s: record limit %d, want %d", tt.p.Name, got, tt.limit)
		}
	}
	p := &boards.Pico
	l, _ := host(t, startTwin(t, pskArgs(p.Name)...), p)
	tc, err := dialPSK(t, l, testPSK, func(c *tlspsk.Config) { c.RecordSizeLimit = 16385 })
	if err != nil {
		t.Fatal(err)
	}
	if st := tc.ConnectionState(); st.PeerRecordSizeLimit != 513 || st.SendLimit != 512 {
		t.Errorf("negotiated %+v, want the server's record_size_limit 513", st)
	}
	m := connectMQTT(t, tc, "rsl")
	m.send(packet.Pingreq{})
	if _, ok := m.recv().(*packet.Pingresp); !ok {
		t.Fatal("no PINGRESP")
	}
}

// TestTwinRefusesWrongPSK: a wrong key or an unknown identity ends in a
// fatal alert, and the twin goes on serving.
func TestTwinRefusesWrongPSK(t *testing.T) {
	p := &boards.Pico
	l, c := host(t, startTwin(t, pskArgs(p.Name)...), p)
	for _, tt := range []struct {
		psk  tlspsk.PSK
		want tlspsk.Alert
	}{
		{tlspsk.PSK{Identity: testPSK.Identity, Key: bytes.Repeat([]byte{1}, 32)}, tlspsk.AlertDecryptError},
		// Answered as a wrong key, so that identities cannot be listed.
		{tlspsk.PSK{Identity: "stranger", Key: testPSK.Key}, tlspsk.AlertDecryptError},
	} {
		_, err := dialPSK(t, l, tt.psk, nil)
		var ae *tlspsk.AlertError
		if !errors.As(err, &ae) || ae.Alert != tt.want {
			t.Errorf("identity %q: handshake error %v, want alert %v", tt.psk.Identity, err, tt.want)
		}
	}
	tc, err := dialPSK(t, l, testPSK, nil)
	if err != nil {
		t.Fatal(err)
	}
	connectMQTT(t, tc, "after")
	if st, err := c.Stats(patience); err != nil || st.Connections != 1 {
		t.Errorf("stats %+v %v, want 1 connection", st, err)
	}
}

// TestTwinDrawsPSK: with -psk alone the twin draws a key and tells it on
// stderr, the one place it can.
func TestTwinDrawsPSK(t *testing.T) {
	p := &boards.ESP32C3
	path, stderr := startTwinOutput(t, "-board", p.Name, "-psk")
	psks, err := tlspsk.ParsePSKFile(strings.NewReader(stderr.String()))
	if err != nil || len(psks) != 1 {
		t.Fatalf("stderr %q: %v, want one identity:key line", stderr, err)
	}
	if !strings.HasPrefix(psks[0].Identity, "gatomqtt-twin-") || len(psks[0].Key) != pskKeyBytes {
		t.Errorf("drawn %q with a %d-byte key", psks[0].Identity, len(psks[0].Key))
	}
	l, c := host(t, path, p)
	checkHelloPSK(t, c, p, "go twin", psks[0].Identity)
	tc, err := dialPSK(t, l, psks[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	connectMQTT(t, tc, "drawn")
}

func TestBadPSKFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-board", "pico", "-psk-identity", "alone"},
		{"-board", "pico", "-psk-key", "not hex"},
		{"-board", "pico", "-psk-key", "00112233"},
		{"-board", "pico", "-psk", "-psk-identity", strings.Repeat("i", 256)},
	} {
		stdout, stderr := newOutput(), newOutput()
		if s := run(t.Context(), args, stdout, stderr); s != 2 {
			t.Errorf("run(%q) = %d, want 2", args, s)
		}
		if stdout.String() != "" || stderr.String() == "" {
			t.Errorf("run(%q): stdout %q, stderr %q; want the reason on stderr only", args, stdout, stderr)
		}
	}
}
