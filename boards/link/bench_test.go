package link

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/link/linetest"
)

// BenchmarkPacedLine sends one stream's bytes over a line paced at
// 921 600 baud (8N1) and reports the payload rate as a share of the line
// rate (%line). It fails below the floors the link promises — 85 % on a
// clean line, 50 % when 1 % of the bytes are corrupted — and when a byte
// arrives lost, changed or twice.
func BenchmarkPacedLine(b *testing.B) {
	const baud = 921600
	tests := []struct {
		name    string
		corrupt float64
		floor   float64
	}{
		{"clean", 0, 0.85},
		{"corrupt-1pct", 0.01, 0.50},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			a, c := linetest.Pipe(linetest.Config{Baud: baud, Faults: linetest.Faults{Corrupt: tt.corrupt, Seed: 7}})
			cfg := Config{Streams: 1, Window: 32, MaxPayload: 256, StreamBuffer: 8192}
			host, board := pair(b, a, c, cfg, cfg)
			s, r := openStream(b, host, board)
			data := make([]byte, 128<<10) // about 1.4 s of a clean line
			rng := rand.New(rand.NewPCG(1, 2))
			for i := range data {
				data[i] = byte(rng.Uint32())
			}
			got := make([]byte, len(data))
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				go s.Write(data)
				if _, err := io.ReadFull(r, got); err != nil {
					b.Fatal(err)
				}
				if !bytes.Equal(got, data) {
					b.Fatal("stream bytes changed on the way")
				}
			}
			elapsed := time.Since(start)
			b.StopTimer()
			share := float64(len(data)*b.N) / elapsed.Seconds() / (baud / 10)
			b.ReportMetric(100*share, "%line")
			st := host.Stats()
			b.ReportMetric(float64(st.Retransmits)/float64(b.N), "retransmits/op")
			b.ReportMetric(float64(st.Payload), "payload-bytes")
			b.ReportMetric(float64(st.Timeouts)/float64(b.N), "timeouts/op")
			b.ReportMetric(float64(st.RTO.Microseconds()), "rto-µs")
			if share < tt.floor {
				b.Errorf("payload at %.1f %% of the line rate, below %.0f %%", 100*share, 100*tt.floor)
			}
		})
	}
}
