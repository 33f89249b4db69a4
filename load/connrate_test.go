package load

import (
	"context"
	"crypto/rand"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/listen"
	"github.com/gatomqtt/gatomqtt/broker/listen/listentest"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk/psknet"
)

// pskBroker is the project's broker served on a plain and a TLS-PSK
// loopback listener for a test.
type pskBroker struct {
	addr, pskAddr string
	psk           PSK // what the TLS-PSK listener accepts
}

// startPSKBroker serves a broker configured by cfg with host limits on
// two loopback ports; the TLS-PSK one accepts one random identity and
// key, and psk_ke too when allowPSKOnly is set.
func startPSKBroker(t *testing.T, cfg broker.Config, allowPSKOnly bool) pskBroker {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	psk := PSK{Identity: "load-test", Key: key}
	server := &tlspsk.Config{PSKs: []tlspsk.PSK{{Identity: psk.Identity, Key: key}}}
	if allowPSKOnly {
		server.KeyExchangeModes = []tlspsk.KeyExchangeMode{tlspsk.KeyExchangePSKDHE, tlspsk.KeyExchangePSK}
	}
	if cfg.Limits == (broker.Limits{}) {
		cfg.Limits = broker.HostLimits
	}
	b, err := broker.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, pln := listentest.Loopback(t), listentest.Loopback(t)
	listentest.Serve(t, b, listen.Serve, ln, psknet.NewListener(pln, server))
	return pskBroker{addr: ln.Addr().String(), pskAddr: pln.Addr().String(), psk: psk}
}

// checkRate checks a run in which every connection was to be accepted.
func checkRate(t *testing.T, r *ConnectionRateResult, count int) {
	t.Helper()
	checkReport(t, r, r.Label)
	if r.Failed != 0 || r.FirstError != "" {
		t.Errorf("%d failures (%s), want none", r.Failed, r.FirstError)
	}
	if r.Connected == 0 || r.Attempts != r.Connected || (count > 0 && r.Connected != uint64(count)) {
		t.Errorf("connected %d of %d, want all of %d (any for a run of a duration)", r.Connected, r.Attempts, count)
	}
	if r.Rate <= 0 || r.Latency.Samples != r.Connected || !(0 < r.Latency.P50 && r.Latency.P50 <= r.Latency.P99 && r.Latency.P99 <= r.Latency.Max) {
		t.Errorf("rate %v/s, latency %+v: want a positive rate and one ordered sample per connection", r.Rate, r.Latency)
	}
}

func TestConnectionRateInProcess(t *testing.T) {
	b := startPSKBroker(t, broker.Config{}, true)
	pskOnly := b.psk
	pskOnly.PSKOnly = true
	tests := []struct {
		name     string
		cr       ConnectionRate
		scenario string
	}{
		{"TCP, a count", ConnectionRate{Addr: b.addr, Count: 300}, "connection-rate-c4"},
		{"TCP, a duration", ConnectionRate{Addr: b.addr, Duration: 200 * time.Millisecond}, "connection-rate-c4"},
		{"TLS-PSK psk_dhe_ke", ConnectionRate{Addr: b.pskAddr, PSK: &b.psk, Count: 100}, "psk-handshakes-c4-psk_dhe_ke"},
		{"TLS-PSK psk_ke", ConnectionRate{Addr: b.pskAddr, PSK: &pskOnly, Count: 100}, "psk-handshakes-c4-psk_ke"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cr := tt.cr
			// The host profile lets 8 connections from one address wait
			// for their CONNACK; more would be closed to make room.
			cr.Label, cr.Concurrency = "gatomqtt", 4
			r, err := RunConnectionRate(testContext(t), cr)
			if err != nil {
				t.Fatal(err)
			}
			checkRate(t, r, cr.Count)
			if r.Scenario != tt.scenario {
				t.Errorf("scenario %q, want %q", r.Scenario, tt.scenario)
			}
		})
	}
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// answeringAddr returns the address of a listener that reads the first
// bytes of each connection, writes answer and closes it.
func answeringAddr(t *testing.T, answer []byte) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if len(answer) > 0 {
				c.Read(make([]byte, 256))
				c.Write(answer)
			}
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String()
}

func TestConnectionRateCountsFailures(t *testing.T) {
	b := startPSKBroker(t, broker.Config{}, false)
	wrongKey := b.psk
	wrongKey.Key = append([]byte{b.psk.Key[0] ^ 1}, b.psk.Key[1:]...)
	wrongIdentity := b.psk
	wrongIdentity.Identity = "nobody"
	pskOnly := b.psk
	pskOnly.PSKOnly = true
	const count = 20
	tests := []struct {
		name    string
		cr      ConnectionRate
		counted func(*ConnectionRateResult) uint64
		want    string // in FirstError
	}{
		{"wrong key", ConnectionRate{Addr: b.pskAddr, PSK: &wrongKey},
			func(r *ConnectionRateResult) uint64 { return r.HandshakeFailed }, "decrypt_error"},
		{"unknown identity", ConnectionRate{Addr: b.pskAddr, PSK: &wrongIdentity},
			func(r *ConnectionRateResult) uint64 { return r.HandshakeFailed }, ErrHandshake.Error()},
		{"psk_ke refused", ConnectionRate{Addr: b.pskAddr, PSK: &pskOnly},
			func(r *ConnectionRateResult) uint64 { return r.HandshakeFailed }, "psk_ke"},
		{"TLS to the plain listener", ConnectionRate{Addr: b.addr, PSK: &b.psk},
			func(r *ConnectionRateResult) uint64 { return r.HandshakeFailed }, ErrHandshake.Error()},
		// The project's broker throttles a source whose logins fail, so a
		// fake refuses: CONNACK 3, server unavailable.
		{"CONNACK refusing", ConnectionRate{Addr: answeringAddr(t, []byte{0x20, 2, 0, 3})},
			func(r *ConnectionRateResult) uint64 { return r.Refused }, "CONNACK code 3"},
		{"nothing listening", ConnectionRate{Addr: closedAddr(t)},
			func(r *ConnectionRateResult) uint64 { return r.DialFailed }, "refused"},
		{"PINGRESP for CONNACK", ConnectionRate{Addr: answeringAddr(t, []byte{0xd0, 0})},
			func(r *ConnectionRateResult) uint64 { return r.Dropped }, "want CONNACK"},
		{"closed before CONNACK", ConnectionRate{Addr: answeringAddr(t, nil)},
			func(r *ConnectionRateResult) uint64 { return r.Dropped }, "CONNACK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cr := tt.cr
			cr.Label, cr.Concurrency, cr.Count, cr.Timeout = "broker", 2, count, 2*time.Second
			r, err := RunConnectionRate(testContext(t), cr)
			if err != nil {
				t.Fatal(err)
			}
			checkReport(t, r, "broker")
			if r.Attempts != count || r.Connected != 0 || r.Failed != count || tt.counted(r) != count {
				t.Errorf("%d attempts, %d connected, %d failed: want all %d failed, and of the kind", r.Attempts, r.Connected, r.Failed, count)
			}
			if !strings.Contains(r.FirstError, tt.want) {
				t.Errorf("first error %q, want it to mention %q", r.FirstError, tt.want)
			}
			if !strings.Contains(r.String(), "failed 20") {
				t.Errorf("report %q does not give the failures", r)
			}
		})
	}
}

func TestConnectionRateValidation(t *testing.T) {
	for _, cr := range []ConnectionRate{
		{},
		{Addr: "127.0.0.1:1", Concurrency: -1},
		{Addr: "127.0.0.1:1", Count: -1},
		{Addr: "127.0.0.1:1", PSK: &PSK{Identity: "x"}}, // no key
	} {
		if _, err := RunConnectionRate(context.Background(), cr); err == nil {
			t.Errorf("RunConnectionRate(%+v) succeeded", cr)
		}
	}
}

func TestPSKThroughputInProcess(t *testing.T) {
	b := startPSKBroker(t, broker.Config{}, false)
	dial, err := PSKDial(b.psk)
	if err != nil {
		t.Fatal(err)
	}
	for _, qos := range []int{0, 1} {
		cfg := Config{Addr: b.pskAddr, Dial: dial, Label: "gatomqtt", Publishers: 1, Subscribers: 1, QoS: qos, Count: 3000}
		res, err := Run(testContext(t), cfg)
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, res)
		if res.Sent != 3000 || res.Lost != 0 {
			t.Errorf("QoS %d over TLS-PSK: sent %d, lost %d; want 3000 sent and none lost", qos, res.Sent, res.Lost)
		}
	}
	// The same run with a wrong key fails at once, naming the handshake.
	wrong := b.psk
	wrong.Key = make([]byte, 32)
	dial, _ = PSKDial(wrong)
	_, err = Run(testContext(t), Config{Addr: b.pskAddr, Dial: dial, Publishers: 1, Subscribers: 1, Count: 10})
	if err == nil || !strings.Contains(err.Error(), ErrHandshake.Error()) {
		t.Errorf("run with a wrong key: err %v, want the handshake failure", err)
	}
}
