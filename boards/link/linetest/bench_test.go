package linetest_test

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/link/linetest"
)

// BenchmarkPacing sends b.N bytes over a paced line in Writes of the given
// size and reports how much longer than nominal the transfer took
// (%over; 0 is exact, below 0 impossible). -benchtime=1000000x measures a
// megabyte.
func BenchmarkPacing(b *testing.B) {
	for _, baud := range []int{921600, 115200} {
		for _, piece := range []int{64, 4096} {
			b.Run(fmt.Sprintf("%d/%d", baud, piece), func(b *testing.B) {
				a, c := pipe(b, linetest.Config{Baud: baud})
				data := make([]byte, b.N)
				b.SetBytes(1)
				got := readAsync(c, b.N, 64<<10, 11)
				b.ResetTimer()
				start := time.Now()
				go func() {
					for p := data; len(p) > 0; p = p[min(piece, len(p)):] {
						if _, err := a.Write(p[:min(piece, len(p))]); err != nil {
							return
						}
					}
				}()
				r := <-got
				elapsed := time.Since(start)
				b.StopTimer()
				if r.err != nil || len(r.data) != b.N {
					b.Fatalf("read %d of %d bytes: %v", len(r.data), b.N, r.err)
				}
				nominal := time.Duration(int64(b.N) * 10 * int64(time.Second) / int64(baud))
				b.ReportMetric(100*(elapsed.Seconds()/nominal.Seconds()-1), "%over")
			})
		}
	}
}

// BenchmarkUnpaced measures the cost of the line itself.
func BenchmarkUnpaced(b *testing.B) {
	a, c := pipe(b, linetest.Config{})
	data := make([]byte, 32<<10)
	b.SetBytes(int64(len(data)))
	done := make(chan error, 1)
	go func() {
		_, err := io.CopyN(io.Discard, c, int64(b.N)*int64(len(data)))
		done <- err
	}()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := a.Write(data); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}
