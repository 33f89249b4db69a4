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
