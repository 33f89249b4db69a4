package tlspsk

import (
	"io"
	"testing"
	"time"
)

// closeBound is how long Close may take when the peer has stopped reading:
// long for a call that only closes a transport, short beside the five
// seconds a close_notify may wait for its write deadline.
const closeBound = 3 * time.Second

// signalWrites wraps a transport and reports each Write as it starts, so
// a test knows when a Conn is inside a write that cannot finish.
type signalWrites struct {
	io.ReadWriteCloser
	writing chan struct{}
}

func (s *signalWrites) Write(p []byte) (int, error) {
	select {
	case s.writing <- struct{}{}:
	default:
	}
	return s.ReadWriteCloser.Write(p)
}

// TestCloseWhilePeerStopsReading: whatever the Conn is writing when the
// peer stops reading (an answer to a KeyUpdate, its own KeyUpdate, the
// alert that ends a failed Read, a close_notify from CloseWrite, a
// close_notify over a stream without deadlines), Close returns promptly
// and the blocked call fails.
func TestCloseWhilePeerStopsReading(t *testing.T) {
	tests := []struct {
		name string
		// plain hides the server transport's deadlines.
		plain bool
		// block starts a server call that will write into the stalled
		// pipe, and returns its result; nil when Close itself blocks.
		block func(t *testing.T, p *pair) chan error
	}{
		{"answering a KeyUpdate", false, func(t *testing.T, p *pair) chan error {
			errc := readAsync(p.server)
			if err := p.client.UpdateKeys(true); err != nil {
				t.Fatalf("client UpdateKeys: %v", err)
			}
			return errc
		}},
		{"UpdateKeys", false, func(t *testing.T, p *pair) chan error {
			errc := make(chan error, 1)
			go func() { errc <- p.server.UpdateKeys(false) }()
			return errc
		}},
		{"alert after a bad record", false, func(t *testing.T, p *pair) chan error {
			errc := readAsync(p.server)
			garbage := record(recordApplicationData, pattern(40))
			if _, err := p.clientNet.Write(garbage); err != nil {
				t.Fatalf("writing a bad record: %v", err)
			}
			return errc
		}},
		{"CloseWrite", false, func(t *testing.T, p *pair) chan error {
			errc := make(chan error, 1)
			go func() { errc <- p.server.CloseWrite() }()
			return errc
		}},
		{"close_notify without write deadlines", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustHandshake(t, overNetPipe, clientConfig(), serverConfig())
			// Nothing but Close may end what follows.
			p.clientNet.SetDeadline(time.Time{})
			p.svrNet.SetDeadline(time.Time{})
			sig := &signalWrites{ReadWriteCloser: p.svrNet, writing: make(chan struct{}, 1)}
			p.server.rw = sig
			if tt.plain {
				sig.ReadWriteCloser = streamOnly{p.svrNet}
				p.server.hooks = &testHooks{closeNotifyTimeout: 50 * time.Millisecond}
			}
			var blocked chan error
			if tt.block != nil {
				blocked = tt.block(t, p)
				select {
				case <-sig.writing:
				case err := <-blocked:
					t.Fatalf("the server call returned before writing: %v", err)
				case <-time.After(testLimit):
					t.Fatal("the server never started writing")
				}
			}

			closed := make(chan error, 1)
			go func() { closed <- p.server.Close() }()
			select {
			case <-closed:
			case <-time.After(closeBound):
				t.Fatalf("Close still blocked after %v", closeBound)
			}
			if blocked == nil {
				return
			}
			select {
			case err := <-blocked:
				if err == nil {
					t.Error("the blocked call succeeded after Close")
				}
			case <-time.After(testLimit):
				t.Fatal("Close did not break the blocked call")
			}
			if _, err := p.server.Write([]byte("x")); err == nil {
				t.Error("Write after Close succeeded")
			}
		})
	}
}

func readAsync(c *Conn) chan error {
	errc := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 1))
		errc <- err
	}()
	return errc
}
