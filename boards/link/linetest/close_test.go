package linetest_test

import (
	"bytes"
	"io"
	"math"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/link/linetest"
)

// TestCloseUnblocks closes a line under a Read or Write that is really
// blocked, from either end, and checks that it returns at once with what
// the line had done before the cut.
func TestCloseUnblocks(t *testing.T) {
	const patience = 2 * time.Second // each blocked call would wait far longer
	tests := []struct {
		name     string
		cfg      linetest.Config
		write    bool // block a Write on a (else a Read on b)
		closeOwn bool // close the blocked end (else the other one)
	}{
		{"read/own end", linetest.Config{}, false, true},
		{"read/other end", linetest.Config{}, false, false},
		// The byte is on the wire for an hour: Read waits on its arrival,
		// and Close loses it.
		{"read in flight/own end", linetest.Config{Faults: linetest.Faults{Delay: time.Hour}}, false, true},
		{"read in flight/other end", linetest.Config{Faults: linetest.Faults{Delay: time.Hour}}, false, false},
		// 4 KB at 9600 baud is 4.3 s on the line.
		{"write/own end", linetest.Config{Baud: 9600}, true, true},
		{"write/other end", linetest.Config{Baud: 9600}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := pipe(t, tt.cfg)
			blocked, other := b, a // Read on b
			if tt.write {
				blocked, other = a, b // Write on a
			}
			closer := other
			if tt.closeOwn {
				closer = blocked
			}

			if !tt.write {
				if tt.cfg.Faults.Delay > 0 {
					if _, err := a.Write([]byte{1}); err != nil {
						t.Fatal(err)
					}
				}
				got := readAsync(b, 1, 16, 8)
				eventually(t, patience, "Read blocked", b.BlockedRead)
				closer.Close()
				r := await(t, got, patience, "Read after Close")
				if r.err != io.EOF || len(r.data) != 0 {
					t.Errorf("Read after Close: %d bytes, %v; want 0, EOF", len(r.data), r.err)
				}
				return
			}

			data := randomBytes(4<<10, 9)
			type result struct {
				n   int
				err error
			}
			wrote := make(chan result, 1)
			go func() {
				n, err := a.Write(data)
				wrote <- result{n, err}
			}()
			// Let some bytes through first, so that the cut falls inside
			// the Write: the first chunk arriving proves it is under way.
			first := await(t, readAsync(b, 1, 4096, 9), patience, "first bytes")
			if first.err != nil {
				t.Fatal(first.err)
			}
			got := readAsync(b, math.MaxInt, 4096, 10)
			eventually(t, patience, "Write blocked", a.BlockedWrite)
			closer.Close()
			w := await(t, wrote, patience, "Write after Close")
			r := await(t, got, patience, "Read after Close")
			r.data = append(first.data, r.data...)
			if w.err != io.ErrClosedPipe || w.n == 0 || w.n >= len(data) {
				t.Errorf("Write cut by Close returned %d, %v; want between 0 and %d bytes and ErrClosedPipe", w.n, w.err, len(data))
			}
			if r.err != io.EOF || !bytes.Equal(r.data, data[:w.n]) {
				t.Errorf("peer read %d bytes, then %v; want the %d that left, then EOF", len(r.data), r.err, w.n)
			}
			if st := a.Stats(); st.Written != int64(w.n) {
				t.Errorf("Stats.Written = %d after a Write cut at %d bytes", st.Written, w.n)
			}
		})
	}
}

// TestClose checks the state of both ends after Close: bytes that had
// arrived are still read, then EOF; writes fail; Close again is harmless.
func TestClose(t *testing.T) {
	a, b := linetest.Pipe(linetest.Config{})
	if _, err := a.Write([]byte("abc")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Write([]byte("xy")); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for _, c := range []struct {
		name string
		end  *linetest.End
		want string
	}{{"a", a, "xy"}, {"b", b, "abc"}} {
		got, err := io.ReadAll(c.end)
		if err != nil || string(got) != c.want {
			t.Errorf("%s: read %q, %v after Close; want %q, nil", c.name, got, err, c.want)
		}
		if n, err := c.end.Read(make([]byte, 1)); n != 0 || err != io.EOF {
			t.Errorf("%s: Read after draining = %d, %v; want 0, EOF", c.name, n, err)
		}
		if n, err := c.end.Write([]byte("z")); n != 0 || err != io.ErrClosedPipe {
			t.Errorf("%s: Write after Close = %d, %v; want 0, ErrClosedPipe", c.name, n, err)
		}
		if err := c.end.Close(); err != nil {
			t.Errorf("%s: second Close: %v", c.name, err)
		}
	}
}
