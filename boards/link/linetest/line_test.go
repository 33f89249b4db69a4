package linetest_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/link/linetest"
)

func TestBytesArriveIntactAndInOrder(t *testing.T) {
	tests := []struct {
		name string
		cfg  linetest.Config
		size int // bytes each way
	}{
		{"unpaced", linetest.Config{}, 256 << 10},
		{"unpaced+delay", linetest.Config{Faults: linetest.Faults{Delay: 2 * time.Millisecond}}, 64 << 10},
		{"921600", linetest.Config{Baud: 921600}, 4 << 10},
		{"4M+delay", linetest.Config{Baud: 4_000_000, Faults: linetest.Faults{Delay: time.Millisecond}}, 16 << 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := pipe(t, tt.cfg)
			ab, ba := randomBytes(tt.size, 1), randomBytes(tt.size, 2)
			// Both directions at once, each end with its own reader and
			// writer, as the link uses it.
			wa := writeInPieces(a, ab, 1000, 1)
			wb := writeInPieces(b, ba, 1000, 2)
			rb := readAsync(b, tt.size, 700, 1)
			ra := readAsync(a, tt.size, 700, 2)
			for _, c := range []struct {
				name string
				r    <-chan readResult
				want []byte
			}{{"a to b", rb, ab}, {"b to a", ra, ba}} {
				got := await(t, c.r, 10*time.Second, c.name)
				if got.err != nil {
					t.Fatalf("%s: read: %v", c.name, got.err)
				}
				if !bytes.Equal(got.data, c.want) {
					t.Errorf("%s: %d bytes arrived, differing from the %d written", c.name, len(got.data), len(c.want))
				}
			}
			for _, w := range []<-chan error{wa, wb} {
				if err := await(t, w, 10*time.Second, "write"); err != nil {
					t.Fatalf("write: %v", err)
				}
			}
			want := linetest.Stats{Written: int64(tt.size)}
			if st := a.Stats(); st != want {
				t.Errorf("a.Stats() = %+v, want %+v", st, want)
			}
			if st := b.Stats(); st != want {
				t.Errorf("b.Stats() = %+v, want %+v", st, want)
			}
		})
	}
}

// TestPacing checks the line's rate against the nominal one, for one
// large Write (carried in chunks, so the reader must see its first bytes
// early) and for many small Writes (each waking late from its sleep,
// which the line must not charge as idle time).
func TestPacing(t *testing.T) {
	const span = 250 * time.Millisecond // of line time per case
	tests := []struct {
		baud  int
		piece int // bytes per Write; 0: one Write
	}{
		{921600, 0},
		{921600, 64},
		{115200, 0},
		{115200, 16},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d/%d", tt.baud, tt.piece), func(t *testing.T) {
			size := int(int64(tt.baud/10) * int64(span) / int64(time.Second))
			nominal := time.Duration(int64(size) * 10 * int64(time.Second) / int64(tt.baud))
			a, b := pipe(t, linetest.Config{Baud: tt.baud})
			data := randomBytes(size, 3)

			firstRead := make(chan time.Duration, 1)
			got := make(chan readResult, 1)
			start := time.Now()
			go func() {
				buf := make([]byte, 0, size)
				p := make([]byte, 4096)
				for len(buf) < size {
					n, err := b.Read(p)
					if len(buf) == 0 {
						firstRead <- time.Since(start)
					}
					buf = append(buf, p[:n]...)
					if err != nil {
						got <- readResult{buf, err}
						return
					}
				}
				got <- readResult{buf, nil}
			}()
			wrote := make(chan time.Duration, 1)
			go func() {
				piece := tt.piece
				if piece == 0 {
					piece = size
				}
				for p := data; len(p) > 0; p = p[min(piece, len(p)):] {
					if _, err := a.Write(p[:min(piece, len(p))]); err != nil {
						t.Errorf("write: %v", err)
						break
					}
				}
				wrote <- time.Since(start)
			}()

			r := await(t, got, 10*nominal, "transfer")
			elapsed := time.Since(start)
			if r.err != nil || !bytes.Equal(r.data, data) {
				t.Fatalf("read %d bytes, err %v; want the %d written", len(r.data), r.err, size)
			}
			first := <-firstRead
			writer := await(t, wrote, time.Second, "writer")
			t.Logf("%d bytes at %d baud: %v, nominal %v (%+.2f %%); writer done after %v, first bytes after %v",
				size, tt.baud, elapsed.Round(time.Microsecond), nominal, 100*(elapsed.Seconds()/nominal.Seconds()-1),
				writer.Round(time.Microsecond), first.Round(time.Microsecond))

			if elapsed < nominal {
				t.Errorf("%d bytes arrived after %v, faster than the line's %v", size, elapsed, nominal)
			}
			// How close to the line rate the pacer comes is a speed claim,
			// measured by the link benchmark (go test -bench ./boards/link),
			// not here: a loaded machine only makes a transfer slower.
			if writer < nominal {
				t.Errorf("the writer finished after %v, ahead of the line's %v", writer, nominal)
			}
			if first > nominal/4 {
				t.Errorf("first bytes readable after %v of a %v transfer: not progressive", first, nominal)
			}
		})
	}
}

// TestDelay checks that a byte is not readable before its transmission
// time plus the propagation delay, and not long after, and that Write
// does not wait for the propagation.
func TestDelay(t *testing.T) {
	const delay = 30 * time.Millisecond
	const late = 30 * time.Millisecond // allowance for timers on a busy machine
	tests := []struct {
		baud int
		n    int
	}{
		{0, 1},
		{115200, 10},
		{9600, 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.baud), func(t *testing.T) {
			a, b := pipe(t, linetest.Config{Baud: tt.baud, Faults: linetest.Faults{Delay: delay}})
			var tx time.Duration
			if tt.baud > 0 {
				tx = time.Duration(int64(tt.n) * 10 * int64(time.Second) / int64(tt.baud))
			}
			got := readAsync(b, tt.n, 64, 4)
			start := time.Now()
			if _, err := a.Write(make([]byte, tt.n)); err != nil {
				t.Fatal(err)
			}
			if w := time.Since(start); w < tx || w >= delay {
				t.Errorf("Write returned after %v; want from %v (transmission) to %v (propagation)", w, tx, delay)
			}
			r := await(t, got, time.Second, "read")
			arrived := time.Since(start)
			if r.err != nil || len(r.data) != tt.n {
				t.Fatalf("read %d bytes, err %v", len(r.data), r.err)
			}
			if want := tx + delay; arrived < want || arrived > want+late {
				t.Errorf("bytes readable after %v, want %v to %v", arrived, want, want+late)
			}
		})
	}
}
