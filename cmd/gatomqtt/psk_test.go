package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk/psknet"
)

const (
	testKeyHex   = "00112233445566778899aabbccddeeff"
	otherKeyHex  = "ffeeddccbbaa99887766554433221100a1a2a3a4"
	wrongKeyHex  = "00112233445566778899aabbccddeefe"
	testIdentity = "board-1"
)

var pskListening = regexp.MustCompile(`; MQTT over TLS-PSK on (\S+) \((\d+) identit(?:y|ies), ([^)]*)\)`)

// startPSK runs the daemon with a PSK listener for the identities
// board-1 (testKeyHex) and board-2 (otherKeyHex) and returns the plain and
// PSK addresses and the key exchange modes it announced.
func startPSK(t *testing.T, args ...string) (plain, psk, modes string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "psk.txt")
	content := "# test identities\n" + testIdentity + ":" + testKeyHex + "\n\nboard-2:" + otherKeyHex + "\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	line := startLine(t, append([]string{"-psk-listen", "127.0.0.1:0", "-psk-file", file}, args...)...)
	m, p := listening.FindStringSubmatch(line), pskListening.FindStringSubmatch(line)
	if m == nil || p == nil {
		t.Fatalf("startup line %q does not say where MQTT and TLS-PSK are served", line)
	}
	if p[2] != "2" {
		t.Errorf("startup line %q: want 2 identities", line)
	}
	return m[1], p[1], p[3]
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dialPSK dials addr and completes a TLS-PSK handshake with cfg.
func dialPSK(t *testing.T, addr string, cfg *tlspsk.Config) (*psknet.Conn, error) {
	t.Helper()
	raw, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c := psknet.Client(raw, cfg)
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.HandshakeContext(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

func TestRunPSKListener(t *testing.T) {
	plain, pskAddr, modes := startPSK(t)
	if modes != "psk_dhe_ke" {
		t.Errorf("announced modes %q, want psk_dhe_ke only by default", modes)
	}
	for _, tt := range []struct {
		name, identity, key string
		group               tlspsk.Group
	}{
		{"board-1 over X25519", testIdentity, testKeyHex, tlspsk.X25519},
		{"board-2 over P-256", "board-2", otherKeyHex, tlspsk.P256},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := dialPSK(t, pskAddr, &tlspsk.Config{
				PSK:    tlspsk.PSK{Identity: tt.identity, Key: mustHex(t, tt.key)},
				Groups: []tlspsk.Group{tt.group},
			})
			if err != nil {
				t.Fatalf("handshake: %v", err)
			}
			st := c.ConnectionState()
			if st.KeyExchangeMode != tlspsk.KeyExchangePSKDHE || st.Group != tt.group || st.Identity != tt.identity {
				t.Errorf("negotiated %v over %v as %q, want psk_dhe_ke over %v as %q",
					st.KeyExchangeMode, st.Group, st.Identity, tt.group, tt.identity)
			}
			mustConnect(t, speak(t, c), client.ConnectOptions{ClientID: "psk-" + tt.identity, CleanSession: true})
		})
	}
	if code := connectCode(t, plain, "", ""); code != packet.Accepted {
		t.Errorf("plain listener: CONNACK %d, want 0", code)
	}
}

// TestRunPSKSharesTheBroker publishes on the plain listener to a
// subscriber on the PSK listener: both are served by one broker.
func TestRunPSKSharesTheBroker(t *testing.T) {
	plain, pskAddr, _ := startPSK(t)
	conn, err := dialPSK(t, pskAddr, &tlspsk.Config{PSK: tlspsk.PSK{Identity: testIdentity, Key: mustHex(t, testKeyHex)}})
	if err != nil {
		t.Fatal(err)
	}
	sub := speak(t, conn)
	mustConnect(t, sub, client.ConnectOptions{ClientID: "psk-sub", CleanSession: true})
	_, err = sub.Subscribe(1, 1, ioWait, "shared/t")
	check(t, err)

	pub := dial(t, plain)
	mustConnect(t, pub, client.ConnectOptions{ClientID: "plain-pub", CleanSession: true})
	check(t, pub.Publish("shared/t", []byte("across listeners"), 1, false, 9))
	got, err := sub.ExpectPublish(ioWait)
	if err != nil {
		t.Fatalf("PSK subscriber: %v", err)
	}
	if string(got.Payload) != "across listeners" {
		t.Fatalf("PSK subscriber got %q, want the PUBLISH from the plain listener", got.Payload)
	}
}

// TestRunPSKRefusesBadClients: an unknown identity gets the wrong key's
// alert unless -psk-reveal-unknown-identity is given.
func TestRunPSKRefusesBadClients(t *testing.T) {
	_, pskAddr, _ := startPSK(t)
	_, revealAddr, _ := startPSK(t, "-psk-reveal-unknown-identity")
	wrongKey := tlspsk.Config{PSK: tlspsk.PSK{Identity: testIdentity, Key: mustHex(t, wrongKeyHex)}}
	unknown := tlspsk.Config{PSK: tlspsk.PSK{Identity: "mallory", Key: mustHex(t, testKeyHex)}}
	tests := []struct {
		name  string
		addr  string
		cfg   tlspsk.Config
		alert tlspsk.Alert
	}{
		{"wrong key", pskAddr, wrongKey, tlspsk.AlertDecryptError},
		{"unknown identity", pskAddr, unknown, tlspsk.AlertDecryptError},
		{"psk_ke without -psk-allow-no-dhe", pskAddr, tlspsk.Config{
			PSK:              tlspsk.PSK{Identity: testIdentity, Key: mustHex(t, testKeyHex)},
			KeyExchangeModes: []tlspsk.KeyExchangeMode{tlspsk.KeyExchangePSK},
		}, tlspsk.AlertHandshakeFailure},
		{"wrong key with -psk-reveal-unknown-identity", revealAddr, wrongKey, tlspsk.AlertDecryptError},
		{"unknown identity with -psk-reveal-unknown-identity", revealAddr, unknown, tlspsk.AlertUnknownPSKIdentity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dialPSK(t, tt.addr, &tt.cfg)
			var ae *tlspsk.AlertError
			if !errors.As(err, &ae) || ae.Alert != tt.alert {
				t.Fatalf("handshake err = %v, want the server's alert %v", err, tt.alert)
			}
		})
	}
}

func TestRunPSKAllowNoDHE(t *testing.T) {
	_, pskAddr, modes := startPSK(t, "-psk-allow-no-dhe")
	if modes != "psk_dhe_ke, psk_ke" {
		t.Errorf("announced modes %q, want psk_dhe_ke, psk_ke", modes)
	}
	c, err := dialPSK(t, pskAddr, &tlspsk.Config{
		PSK:              tlspsk.PSK{Identity: testIdentity, Key: mustHex(t, testKeyHex)},
		KeyExchangeModes: []tlspsk.KeyExchangeMode{tlspsk.KeyExchangePSK},
	})
	if err != nil {
		t.Fatalf("psk_ke handshake: %v", err)
	}
	if st := c.ConnectionState(); st.KeyExchangeMode != tlspsk.KeyExchangePSK || st.Group != 0 {
		t.Errorf("negotiated %v over %v, want psk_ke without a group", st.KeyExchangeMode, st.Group)
	}
	mustConnect(t, speak(t, c), client.ConnectOptions{ClientID: "psk-ke", CleanSession: true})
}

// TestMosquittoClientsOverPSK has Debian's mosquitto_sub and mosquitto_pub,
// which use OpenSSL's TLS 1.3 PSK support, exchange a message through the
// daemon's PSK listener.
func TestMosquittoClientsOverPSK(t *testing.T) {
	subBin, err1 := exec.LookPath("mosquitto_sub")
	pubBin, err2 := exec.LookPath("mosquitto_pub")
	if err := errors.Join(err1, err2); err != nil {
		t.Skipf("mosquitto clients not installed (apt-get install mosquitto-clients): %v", err)
	}
	// mosquitto_sub buffers its output when it is not a terminal; stdbuf
	// makes it line-buffered so that its SUBACK is seen when it arrives.
	stdbuf, err := exec.LookPath("stdbuf")
	if err != nil {
		t.Skipf("stdbuf (coreutils) not installed: %v", err)
	}
	_, pskAddr, _ := startPSK(t)
	_, port, _ := net.SplitHostPort(pskAddr)
	common := []string{"-h", "127.0.0.1", "-p", port, "--psk", testKeyHex, "--psk-identity", testIdentity,
		"--tls-version", "tlsv1.3", "-t", "interop/psk", "-q", "1"}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sub := exec.CommandContext(ctx, stdbuf, append([]string{"-oL", subBin}, append(common, "-C", "1", "-W", "15", "-d", "-i", "gato-sub")...)...)
	out, err := sub.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	subErr := new(lockedBuffer)
	sub.Stderr = subErr
	if err := sub.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var seen []string
	waitFor := func(what string, match func(string) bool) {
		t.Helper()
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("mosquitto_sub ended before %s; output %q, stderr %q", what, seen, subErr.String())
				}
				seen = append(seen, l)
				if match(l) {
					return
				}
			case <-ctx.Done():
				t.Fatalf("no %s from mosquitto_sub; output %q", what, seen)
			}
		}
	}
	waitFor("SUBACK", func(l string) bool { return strings.Contains(l, "received SUBACK") })

	pub := exec.CommandContext(ctx, pubBin, append(common, "-m", "hello over psk", "-i", "gato-pub")...)
	if b, err := pub.CombinedOutput(); err != nil {
		t.Fatalf("mosquitto_pub: %v: %s", err, b)
	}
	waitFor("message", func(l string) bool { return l == "hello over psk" })
	if err := sub.Wait(); err != nil {
		t.Errorf("mosquitto_sub exited with %v after its one message; stderr %q", err, subErr.String())
	}
}

// lockedBuffer collects a process's output while tests may read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
