package load

import (
	"context"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/peers"
)

func TestRunAgainstMosquitto(t *testing.T) {
	m := peers.MosquittoFor(t, peers.MosquittoOptions{})
	addr, pid := m.Addr, m.PID()
	tests := []struct {
		name string
		cfg  Config
	}{
		{"QoS 1 fan-in", Config{Publishers: 2, Subscribers: 1, QoS: 1, Count: 3000}},
		{"QoS 1 fan-out", Config{Publishers: 1, Subscribers: 3, QoS: 1, Count: 2000, PayloadSize: 256}},
		{"QoS 0 at a fixed rate", Config{Publishers: 2, Subscribers: 2, QoS: 0, Rate: 2000, Duration: 300 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Addr, cfg.PID, cfg.Label = addr, pid, "mosquitto"
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			res, err := Run(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, res)
			if cfg.QoS == 1 {
				if want := uint64(cfg.Count * cfg.Publishers); res.Sent != want || res.Unacked != 0 {
					t.Errorf("sent %d with %d unacked, want %d acknowledged", res.Sent, res.Unacked, want)
				}
				if res.Lost != 0 || res.Duplicates != 0 {
					t.Errorf("QoS 1 lost %d and duplicated %d messages, want none", res.Lost, res.Duplicates)
				}
			}
			if res.MemoryAfter == nil || res.MemoryAfter.RSS == 0 {
				t.Errorf("no broker memory: %+v", res.MemoryAfter)
			}
		})
	}
}

// TestConnectionRateAgainstMosquitto runs the connection-rate scenarios
// and a run over TLS-PSK against mosquitto with its TLS-PSK listener
// (fixtures/mosquitto-psk.conf), which takes psk_dhe_ke only.
func TestConnectionRateAgainstMosquitto(t *testing.T) {
	m := peers.MosquittoPSKFor(t, peers.MosquittoOptions{})
	psk := PSK{Identity: m.PSK.Identity, Key: m.PSK.Key}
	wrongKey := psk
	wrongKey.Key = append([]byte{psk.Key[0] ^ 1}, psk.Key[1:]...)
	pskOnly := psk
	pskOnly.PSKOnly = true
	tests := []struct {
		name      string
		cr        ConnectionRate
		handshake bool // every connection fails its handshake
	}{
		{"TCP", ConnectionRate{Addr: m.Addr, Count: 200}, false},
		{"TLS-PSK", ConnectionRate{Addr: m.PSKAddr, PSK: &psk, Count: 50}, false},
		{"TLS-PSK, a wrong key", ConnectionRate{Addr: m.PSKAddr, PSK: &wrongKey, Count: 10}, true},
		{"TLS-PSK, psk_ke alone", ConnectionRate{Addr: m.PSKAddr, PSK: &pskOnly, Count: 10}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cr := tt.cr
			cr.Label, cr.Concurrency, cr.Timeout = "mosquitto", 4, 5*time.Second
			r, err := RunConnectionRate(testContext(t), cr)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.handshake {
				checkRate(t, r, cr.Count)
				return
			}
			checkReport(t, r, "mosquitto")
			if r.Connected != 0 || r.HandshakeFailed != uint64(cr.Count) || r.Failed != r.HandshakeFailed {
				t.Errorf("%d connected, %d handshakes failed of %d failures: want all %d handshakes failed", r.Connected, r.HandshakeFailed, r.Failed, cr.Count)
			}
		})
	}

	dial, err := PSKDial(psk)
	if err != nil {
		t.Fatal(err)
	}
	for _, qos := range []int{0, 1} {
		res, err := Run(testContext(t), Config{Addr: m.PSKAddr, Dial: dial, Label: "mosquitto", Publishers: 1, Subscribers: 1, QoS: qos, Count: 2000})
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, res)
		if qos == 1 && (res.Sent != 2000 || res.Lost != 0) {
			t.Errorf("QoS 1 over TLS-PSK: sent %d, lost %d; want 2000 and none", res.Sent, res.Lost)
		}
	}
}
