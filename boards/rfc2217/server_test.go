package rfc2217_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/rfc2217"
)

// patience bounds every wait; nothing here should take more than
// milliseconds.
const patience = 5 * time.Second

// fakeLine is an emulated device: it records every setter call in order
// on calls, hands what the client wrote to written, and gives the client
// what the test writes to device.
type fakeLine struct {
	calls   chan string
	written chan []byte
	in      *io.PipeReader
	device  *io.PipeWriter
	failRTS bool
	// logWrites also records each Write on calls, as "data <bytes>".
	logWrites bool
}

func newFakeLine() *fakeLine {
	r, w := io.Pipe()
	return &fakeLine{calls: make(chan string, 100), written: make(chan []byte, 100), in: r, device: w}
}

func (l *fakeLine) Read(p []byte) (int, error) { return l.in.Read(p) }
func (l *fakeLine) Write(p []byte) (int, error) {
	if l.logWrites {
		l.calls <- "data " + string(p)
	}
	l.written <- append([]byte(nil), p...)
	return len(p), nil
}
func (l *fakeLine) SetBaudRate(b int) error {
	l.calls <- fmt.Sprintf("baud %d", b)
	if b > 1000000 {
		return errors.New("too fast")
	}
	return nil
}
func (l *fakeLine) SetDTR(on bool) error { l.calls <- fmt.Sprintf("dtr %v", on); return nil }
func (l *fakeLine) SetRTS(on bool) error {
	l.calls <- fmt.Sprintf("rts %v", on)
	if l.failRTS {
		return errors.New("no RTS line")
	}
	return nil
}

// serve connects a client Port to a Server for line over net.Pipe.
func serve(t *testing.T, line *fakeLine) *rfc2217.Port {
	t.Helper()
	cc, sc := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	srv := &rfc2217.Server{Line: line}
	go func() { served <- srv.ServeConn(ctx, sc) }()
	p := rfc2217.Client(cc)
	t.Cleanup(func() {
		p.Close()
		cancel()
		line.device.Close() // ends the server's Line reader
		select {
		case <-served:
		case <-time.After(patience):
			t.Error("ServeConn did not return")
		}
	})
	wctx, wcancel := context.WithTimeout(ctx, patience)
	defer wcancel()
	if err := p.WaitNegotiated(wctx); err != nil {
		t.Fatal(err)
	}
	return p
}

func nextCall(t *testing.T, l *fakeLine) string {
	t.Helper()
	select {
	case c := <-l.calls:
		return c
	case <-time.After(patience):
		t.Fatal("no call on the line")
		return ""
	}
}

func TestBaudRate(t *testing.T) {
	for _, tc := range []struct {
		name      string
		ask, want int
		call      string
	}{
		{"9600", 9600, 9600, "baud 9600"},
		{"1200 touch", 1200, 1200, "baud 1200"},
		{"refused keeps the old rate", 2000000, 115200, "baud 2000000"},
		{"0 asks only", 0, 115200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			line := newFakeLine()
			p := serve(t, line)
			ctx, cancel := context.WithTimeout(context.Background(), patience)
			defer cancel()
			got, err := p.SetBaudRate(ctx, tc.ask)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("SetBaudRate(%d) = %d, want %d", tc.ask, got, tc.want)
			}
			if tc.call != "" {
				if c := nextCall(t, line); c != tc.call {
					t.Errorf("line saw %q, want %q", c, tc.call)
				}
			}
			if len(line.calls) != 0 {
				t.Errorf("extra call %q", <-line.calls)
			}
		})
	}
}

// TestResetSequences sends the DTR/RTS sequences boards are reset with
// and checks that the Line sees them in order, each before the client
// goes on (SetDTR and SetRTS wait for the answer).
func TestResetSequences(t *testing.T) {
	type step struct {
		dtr  bool // else RTS
		on   bool
		call string
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"esptool classic reset", []step{
			{true, false, "dtr false"}, {false, true, "rts true"},
			{true, true, "dtr true"}, {false, false, "rts false"},
			{true, false, "dtr false"},
		}},
		{"hard reset", []step{{false, true, "rts true"}, {false, false, "rts false"}}},
		{"repeated DTR", []step{{true, true, "dtr true"}, {true, true, "dtr true"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			line := newFakeLine()
			p := serve(t, line)
			for i, s := range tc.steps {
				var err error
				if s.dtr {
					err = p.SetDTR(s.on)
				} else {
					err = p.SetRTS(s.on)
				}
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				// The answer came after the setter ran: its call is
				// already queued, in order.
				select {
				case c := <-line.calls:
					if c != s.call {
						t.Fatalf("step %d: line saw %q, want %q", i, c, s.call)
					}
				default:
					t.Fatalf("step %d: answered before the line saw %q", i, s.call)
				}
			}
		})
	}
}

func TestSetterErrorReported(t *testing.T) {
	line := newFakeLine()
	line.failRTS = true
	p := serve(t, line)
	if err := p.SetRTS(false); err == nil {
		t.Fatal("SetRTS on a line without RTS: no error")
	}
	if c := nextCall(t, line); c != "rts false" {
		t.Fatalf("line saw %q", c)
	}
}

func TestPurgeAndSignature(t *testing.T) {
	p := serve(t, newFakeLine())
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	for _, w := range []rfc2217.Purge{rfc2217.PurgeReceive, rfc2217.PurgeTransmit, rfc2217.PurgeBoth} {
		if err := p.Purge(ctx, w); err != nil {
			t.Errorf("Purge(%d): %v", w, err)
		}
	}
	if err := p.Purge(ctx, 7); err == nil {
		t.Error("Purge(7): no error")
	}
	sig, err := p.Signature(ctx)
	if err != nil || sig != rfc2217.Signature {
		t.Errorf("Signature() = %q, %v", sig, err)
	}
}

// TestDataBothWays sends every byte value (0xFF included, which Telnet
// escapes) both ways, with commands in between.
func TestDataBothWays(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(255 - i)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"single 0xFF", []byte{0xff}},
		{"0xFF pairs", []byte{0xff, 0xff, 0xff, 0xff}},
		{"telnet-looking", []byte{0xff, 250, 44, 1, 0xff, 240}},
		{"every byte", all},
		{"large", bytes.Repeat(all, 64)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			line := newFakeLine()
			p := serve(t, line)

			// client -> device
			go p.Write(tc.data)
			var got []byte
			for len(got) < len(tc.data) {
				select {
				case b := <-line.written:
					got = append(got, b...)
				case <-time.After(patience):
					t.Fatalf("device got %d of %d bytes", len(got), len(tc.data))
				}
			}
			if !bytes.Equal(got, tc.data) {
				t.Fatalf("device got % x, want % x", got, tc.data)
			}

			if err := p.SetDTR(false); err != nil {
				t.Fatal(err)
			}

			// device -> client
			go line.device.Write(tc.data)
			p.SetReadDeadline(time.Now().Add(patience))
			back := make([]byte, len(tc.data))
			if _, err := io.ReadFull(p, back); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(back, tc.data) {
				t.Fatalf("client got % x, want % x", back, tc.data)
			}
		})
	}
}

// TestDataBeforeCommand checks that data written before a command
// reaches the line before the command's setter runs.
func TestDataBeforeCommand(t *testing.T) {
	line := newFakeLine()
	line.logWrites = true
	p := serve(t, line)
	go func() {
		p.Write([]byte("boot"))
		p.SetDTR(true)
		p.Write([]byte("run"))
	}()
	for _, want := range []string{"data boot", "dtr true", "data run"} {
		if c := nextCall(t, line); c != want {
			t.Fatalf("line saw %q, want %q", c, want)
		}
	}
}

func TestReadDeadlineAndClose(t *testing.T) {
	p := serve(t, newFakeLine())
	p.SetReadDeadline(time.Now())
	if _, err := p.Read(make([]byte, 1)); !errors.Is(err, context.DeadlineExceeded) && !isTimeout(err) {
		t.Fatalf("Read after deadline: %v", err)
	}
	p.SetReadDeadline(time.Time{})
	errc := make(chan error, 1)
	go func() {
		_, err := p.Read(make([]byte, 1))
		errc <- err
	}()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Read after Close: %v", err)
		}
	case <-time.After(patience):
		t.Fatal("Close did not wake Read")
	}
	if _, err := p.Write([]byte("x")); err == nil {
		t.Fatal("Write after Close: no error")
	}
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if _, err := p.SetBaudRate(ctx, 9600); err == nil {
		t.Fatal("SetBaudRate after Close: no error")
	}
}

func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) && ne.Timeout()
}

// TestServerEndsWithClient checks that ServeConn returns when the client
// goes away.
func TestServerEndsWithClient(t *testing.T) {
	cc, sc := net.Pipe()
	line := newFakeLine()
	defer line.device.Close()
	served := make(chan error, 1)
	go func() { served <- (&rfc2217.Server{Line: line}).ServeConn(context.Background(), sc) }()
	p := rfc2217.Client(cc)
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := p.WaitNegotiated(ctx); err != nil {
		t.Fatal(err)
	}
	p.Close()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("ServeConn: %v", err)
		}
	case <-time.After(patience):
		t.Fatal("ServeConn did not return")
	}
}

func TestNoAnswerIsBounded(t *testing.T) {
	cc, sc := net.Pipe()
	defer sc.Close()
	// A server that agrees to COM-PORT-OPTION and then never answers.
	go func() {
		sc.Write([]byte{255, 253, 44})
		io.Copy(io.Discard, sc)
	}()
	p := rfc2217.Client(cc)
	defer p.Close()
	p.SetAckTimeout(50 * time.Millisecond)
	if err := p.SetDTR(true); !errors.Is(err, rfc2217.ErrNoAnswer) {
		t.Fatalf("SetDTR without answer: %v", err)
	}
}

func TestRefused(t *testing.T) {
	cc, sc := net.Pipe()
	defer sc.Close()
	go func() {
		sc.Write([]byte{255, 254, 44})
		io.Copy(io.Discard, sc)
	}()
	p := rfc2217.Client(cc)
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := p.WaitNegotiated(ctx); !errors.Is(err, rfc2217.ErrRefused) {
		t.Fatalf("WaitNegotiated: %v", err)
	}
}

// TestServerDataPathDoesNotAllocate: the device's bytes reach the client
// without an allocation each, so that a board twin behind the server
// reports its firmware's allocations, not the server's.
func TestServerDataPathDoesNotAllocate(t *testing.T) {
	line := newFakeLine()
	cc, sc := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- (&rfc2217.Server{Line: line}).ServeConn(ctx, sc) }()
	var got atomic.Int64 // 0x55 bytes the client has read
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := cc.Read(buf)
			for _, b := range buf[:n] {
				if b == 0x55 {
					got.Add(1)
				}
			}
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		cancel()
		cc.Close()
		line.device.Close()
		<-served
	}()
	payload := bytes.Repeat([]byte{0x55}, 64)
	want := int64(0)
	send := func() {
		if _, err := line.device.Write(payload); err != nil {
			t.Fatal(err)
		}
		want += int64(len(payload))
		for got.Load() < want {
			runtime.Gosched()
		}
	}
	send() // warm up
	if n := testing.AllocsPerRun(100, send); n >= 1 {
		t.Errorf("%.1f allocations per 64 bytes from the device to the client, want none", n)
	}
}
