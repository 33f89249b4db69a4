package peers

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
	"github.com/gatomqtt/gatomqtt/fixtures"
)

// MosquittoPSK is a mosquitto with a TLS 1.3 external-PSK listener beside
// its plain one, configured by fixtures/mosquitto-psk.conf.
type MosquittoPSK struct {
	*Mosquitto
	// PSKAddr is the 127.0.0.1:port of the TLS-PSK listener.
	PSKAddr string
	// PSK is the one identity and key the listener accepts.
	PSK tlspsk.PSK
	dir string
}

// StartMosquittoPSK starts mosquitto as StartMosquitto does, with also the
// TLS-PSK listener of fixtures/mosquitto-psk.conf on a second free port,
// accepting one identity with a random 128-bit key.
func StartMosquittoPSK(opts MosquittoOptions) (*MosquittoPSK, error) {
	dir, err := os.MkdirTemp("", "gatomqtt-mosquitto-psk-")
	if err != nil {
		return nil, fmt.Errorf("peers: %w", err)
	}
	var b [4 + 16]byte
	if _, err := rand.Read(b[:]); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("peers: %w", err)
	}
	psk := tlspsk.PSK{Identity: "gato-" + hex.EncodeToString(b[:4]), Key: b[4:]}
	file := filepath.Join(dir, "psk.txt")
	// mosquitto started as root reads the file after dropping to its own
	// user; the key is a throwaway.
	if err := os.WriteFile(file, tlspsk.AppendPSKFileLine(nil, psk), 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("peers: %w", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("peers: %w", err)
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	listener := strings.NewReplacer("PSKPORT", strconv.Itoa(port), "PSKFILE", file).Replace(fixtures.MosquittoPSKListener())
	opts.Config = append(append([]string(nil), opts.Config...), listener)
	m, err := StartMosquitto(opts)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	mp := &MosquittoPSK{Mosquitto: m, PSKAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), PSK: psk, dir: dir}
	// mosquitto opens every listener before it serves any, so this only
	// guards against the port having been taken meanwhile.
	c, err := net.DialTimeout("tcp", mp.PSKAddr, 5*time.Second)
	if err != nil {
		mp.Stop()
		return nil, fmt.Errorf("peers: mosquitto's TLS-PSK listener %s: %w: %s", mp.PSKAddr, err, m.Log())
	}
	c.Close()
	return mp, nil
}

// Target is the harness target string for this mosquitto with its PSK
// endpoint, declaring the CCM suites fixtures/mosquitto-psk.conf enables.
func (m *MosquittoPSK) Target() string {
	q := url.Values{
		"psk":          {m.PSKAddr},
		"psk_identity": {m.PSK.Identity},
		"psk_key":      {hex.EncodeToString(m.PSK.Key)},
		"psk_suites":   {"gcm,ccm,ccm8"},
	}
	return m.Mosquitto.Target() + "&" + q.Encode()
}

// Stop stops mosquitto and removes the PSK file.
func (m *MosquittoPSK) Stop() error {
	err := m.Mosquitto.Stop()
	return errors.Join(err, os.RemoveAll(m.dir))
}
