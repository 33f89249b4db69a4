package listen_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/brokertest"
	"github.com/gatomqtt/gatomqtt/broker/listen"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// A scriptedListener's Accept returns its results in order, then blocks
// until Close. A func() among them is called, not returned, when Accept
// comes to it.
type scriptedListener struct {
	mu      sync.Mutex
	results []any // error, net.Conn or func()
	closed  chan struct{}
	once    sync.Once
}

func newScriptedListener(results ...any) *scriptedListener {
	return &scriptedListener{results: results, closed: make(chan struct{})}
}

func (l *scriptedListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	for len(l.results) > 0 {
		r := l.results[0]
		l.results = l.results[1:]
		if f, ok := r.(func()); ok {
			f()
			continue
		}
		l.mu.Unlock()
		if err, ok := r.(error); ok {
			return nil, err
		}
		return r.(net.Conn), nil
	}
	l.mu.Unlock()
	<-l.closed
	return nil, net.ErrClosed
}

func (l *scriptedListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *scriptedListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

// acceptError is an error as net.TCPListener.Accept returns it.
func acceptError(errno syscall.Errno) error {
	return &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", errno)}
}

func TestServeRetriesPassingAcceptErrors(t *testing.T) {
	const ms = time.Millisecond
	emfile, enfile, enobufs := acceptError(syscall.EMFILE), acceptError(syscall.ENFILE), acceptError(syscall.ENOBUFS)
	tests := []struct {
		name    string
		script  func(c []net.Conn) []any // c: the server ends of the clients' pipes
		clients int
		pauses  []time.Duration
	}{
		{"EMFILE three times, then a client",
			func(c []net.Conn) []any { return []any{emfile, emfile, emfile, c[0]} },
			1, []time.Duration{5 * ms, 10 * ms, 20 * ms}},
		{"pauses double up to 1 s",
			func(c []net.Conn) []any {
				return []any{enfile, enfile, enfile, enfile, enfile, enfile, enfile, enfile, enfile, enobufs, c[0]}
			},
			1, []time.Duration{5 * ms, 10 * ms, 20 * ms, 40 * ms, 80 * ms, 160 * ms, 320 * ms, 640 * ms, time.Second, time.Second}},
		{"a client in between starts the pauses again",
			func(c []net.Conn) []any { return []any{emfile, emfile, c[0], emfile, c[1]} },
			2, []time.Duration{5 * ms, 10 * ms, 5 * ms}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pauses []time.Duration
			restore := listen.WatchPauses(&pauses)
			defer restore()
			b, err := broker.New(broker.Config{Limits: broker.PicoLimits})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			var srvs, clis []net.Conn
			for range tt.clients {
				srv, cli := net.Pipe()
				defer cli.Close()
				srvs, clis = append(srvs, srv), append(clis, cli)
			}
			ln := newScriptedListener(tt.script(srvs)...)
			ctx, cancel := context.WithCancel(context.Background())
			served := make(chan error, 1)
			go func() { served <- listen.Serve(ctx, ln, b) }()

			// The clients behind the failures are served, in order: once
			// the last has its CONNACK, every pause before it is over.
			for i, cli := range clis {
				cli.SetDeadline(time.Now().Add(5 * time.Second))
				buf, _ := packet.Connect{ClientID: []byte{'c', '0' + byte(i)}, CleanSession: true}.Append(nil)
				if _, err := cli.Write(buf); err != nil {
					t.Fatal(err)
				}
				p, err := packet.NewReader(cli, make([]byte, 64)).ReadPacket()
				if ack, ok := p.(*packet.Connack); err != nil || !ok || ack.ReturnCode != packet.Accepted {
					t.Fatalf("client %d got %v (%v), want CONNACK 0", i, p, err)
				}
			}
			cancel()
			if err := <-served; !errors.Is(err, context.Canceled) {
				t.Errorf("Serve returned %v, want context.Canceled", err)
			}
			if !slices.Equal(pauses, tt.pauses) {
				t.Errorf("paused %v, want %v", pauses, tt.pauses)
			}
		})
	}
}

func TestServeReturnsOtherAcceptErrors(t *testing.T) {
	var pauses []time.Duration
	defer listen.WatchPauses(&pauses)()
	b, err := broker.New(broker.Config{Limits: broker.PicoLimits})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, want := range []error{acceptError(syscall.EINVAL), errors.New("listener broke")} {
		if err := listen.Serve(context.Background(), newScriptedListener(want), b); err != want {
			t.Errorf("Serve returned %v, want %v", err, want)
		}
	}
	if len(pauses) != 0 {
		t.Errorf("paused %v before returning", pauses)
	}
}

// TestServeReportsAcceptTrouble: the failures Serve survives are logged
// through the broker, one line per kind of trouble per NoticeInterval,
// never one per failed Accept.
func TestServeReportsAcceptTrouble(t *testing.T) {
	emfile, enfile, enobufs := acceptError(syscall.EMFILE), acceptError(syscall.ENFILE), acceptError(syscall.ENOBUFS)
	timeout := &net.OpError{Op: "accept", Net: "tcp", Err: os.ErrDeadlineExceeded}
	tests := []struct {
		name   string
		script func(later func()) []any // later: NoticeInterval passes
		lines  []string
	}{
		{"a burst of EMFILE and ENFILE is one line",
			func(func()) []any { return []any{emfile, emfile, enfile, emfile} },
			[]string{"broker: out of file descriptors: accept tcp: accept4: too many open files"}},
		{"after the interval, a line with the count in between",
			func(later func()) []any { return []any{emfile, enfile, enfile, later, enfile} },
			[]string{
				"broker: out of file descriptors: accept tcp: accept4: too many open files",
				"broker: out of file descriptors: accept tcp: accept4: too many open files in system (and 2 more since the last report)",
			}},
		{"each kind of trouble has its line",
			func(func()) []any { return []any{emfile, enobufs, timeout, enobufs, emfile} },
			[]string{
				"broker: out of file descriptors: accept tcp: accept4: too many open files",
				"broker: out of buffers or memory: accept tcp: accept4: no buffer space available",
				"broker: cannot accept for now: accept tcp: i/o timeout",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pauses []time.Duration
			defer listen.WatchPauses(&pauses)()
			clock := brokertest.NewClock(time.Unix(0, 0))
			var (
				mu    sync.Mutex
				lines []string
			)
			logf := func(format string, args ...any) {
				mu.Lock()
				defer mu.Unlock()
				lines = append(lines, fmt.Sprintf(format, args...))
			}
			b, err := broker.New(broker.Config{Limits: broker.PicoLimits, Clock: clock, Logf: logf})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			srv, cli := net.Pipe()
			defer cli.Close()
			script := append(tt.script(func() { clock.Advance(broker.NoticeInterval) }), srv)
			ctx, cancel := context.WithCancel(context.Background())
			served := make(chan error, 1)
			go func() { served <- listen.Serve(ctx, newScriptedListener(script...), b) }()

			// The client behind the failures gets its CONNACK once every
			// failure before it has been reported.
			cli.SetDeadline(time.Now().Add(5 * time.Second))
			buf, _ := packet.Connect{ClientID: []byte("c"), CleanSession: true}.Append(nil)
			if _, err := cli.Write(buf); err != nil {
				t.Fatal(err)
			}
			if _, err := packet.NewReader(cli, make([]byte, 64)).ReadPacket(); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			got := slices.Clone(lines)
			mu.Unlock()
			cancel()
			<-served
			if !slices.Equal(got, tt.lines) {
				t.Errorf("logged\n%q\nwant\n%q", got, tt.lines)
			}
		})
	}
}
