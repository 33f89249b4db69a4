package tlspsk

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// TestHandshakeContext: a peer that never answers is abandoned when the
// context ends, and the transport is closed.
func TestHandshakeContext(t *testing.T) {
	a, b := memPipe()
	defer b.Close()
	c := ClientOver(a, clientConfig())
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.HandshakeContext(ctx) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("HandshakeContext = %v, want context.DeadlineExceeded", err)
		}
	case <-time.After(testLimit):
		t.Fatal("HandshakeContext ignored its context")
	}
	if _, err := a.Write([]byte{0}); !errors.Is(err, net.ErrClosed) {
		t.Errorf("transport still open after the context ended: %v", err)
	}
	if err := c.Handshake(); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a second Handshake reports %v", err)
	}
}

// streamOnly hides everything but Read, Write and Close, like a UART.
type streamOnly struct{ rw io.ReadWriteCloser }

func (s streamOnly) Read(p []byte) (int, error)  { return s.rw.Read(p) }
func (s streamOnly) Write(p []byte) (int, error) { return s.rw.Write(p) }
func (s streamOnly) Close() error                { return s.rw.Close() }

// TestOverPlainStream: ServerOver and ClientOver work over a stream that
// has no addresses and no deadlines.
func TestOverPlainStream(t *testing.T) {
	a, b := memPipe()
	client := ClientOver(streamOnly{a}, clientConfig())
	server := ServerOver(streamOnly{b}, serverConfig())
	defer a.Close()
	defer b.Close()
	errc := make(chan error, 1)
	go func() { errc <- server.Handshake() }()
	if err := client.Handshake(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	exchange(t, client, server, []byte("over a serial line"))
	if err := client.SetDeadline(time.Now()); !errors.Is(err, ErrNoDeadline) {
		t.Errorf("SetDeadline on a plain stream: %v", err)
	}
	if _, ok := any(client).(interface{ LocalAddr() net.Addr }); ok {
		t.Error("a Conn reports network addresses; those belong to package psknet")
	}
	if client.Transport() != (streamOnly{a}) {
		t.Error("Transport does not return the stream")
	}
}

// TestCompatibilityRecords: ChangeCipherSpec records from either side and
// rejected 0-RTT records from the client are dropped.
func TestCompatibilityRecords(t *testing.T) {
	ccs := record(recordChangeCipherSpec, []byte{1})
	earlyData := append([]byte{byte(recordApplicationData), 3, 3, 0, 40}, bytes.Repeat([]byte{0xee}, 40)...)
	p := handshake(t, overMem, clientConfig(), serverConfig(), func(p *pair) {
		p.client.hooks = &testHooks{clientHello: func(ch *clientHello) { ch.earlyData = true }}
		writes := 0
		p.clientNet.(*memConn).onWrite = func(b []byte) []byte {
			writes++
			if writes == 1 { // after the ClientHello: CCS, then "0-RTT" data
				return append(append(append(b, ccs...), earlyData...), earlyData...)
			}
			return append(ccs, b...) // before the Finished too
		}
		svrWrites := 0
		p.svrNet.(*memConn).onWrite = func(b []byte) []byte {
			svrWrites++
			if svrWrites == 1 { // after the ServerHello
				return append(b, ccs...)
			}
			return b
		}
	})
	if p.clientErr != nil || p.svrErr != nil {
		t.Fatalf("handshake: %v / %v", p.clientErr, p.svrErr)
	}
	p.clientNet.(*memConn).onWrite = nil
	exchange(t, p.client, p.server, []byte("after the compatibility records"))
	if p.server.earlySkip != 0 {
		t.Errorf("server still skipping early data after the handshake")
	}
}

// TestEarlyDataBudget: a client that keeps sending undecryptable records
// is cut off once the early data budget is spent.
func TestEarlyDataBudget(t *testing.T) {
	junk := append([]byte{byte(recordApplicationData), 0x03, 0x03, 0x40, 0x00}, make([]byte, 1<<14)...)
	p := handshake(t, overMem, clientConfig(), serverConfig(), func(p *pair) {
		p.client.hooks = &testHooks{clientHello: func(ch *clientHello) { ch.earlyData = true }}
		p.clientNet.(*memConn).onWrite = func(b []byte) []byte {
			if b[0] != byte(recordHandshake) || b[5] != typeClientHello {
				return b
			}
			for range 8 {
				b = append(b, junk...)
			}
			return b
		}
	})
	wantLocal(t, "server", p.svrErr, ErrBadRecordMAC, AlertBadRecordMAC)
}

// TestReadDeadlineBetweenRecords: a read deadline that expires while no
// record is arriving leaves the connection usable; one that cuts a record
// in half does not.
func TestReadDeadlineBetweenRecords(t *testing.T) {
	p := mustHandshake(t, overMem, clientConfig(), serverConfig())
	p.client.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if _, err := p.client.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read with an expired deadline: %v", err)
	}
	p.client.SetReadDeadline(time.Now().Add(testLimit))
	exchange(t, p.server, p.client, []byte("still fine"))

	// Half a record, then the deadline.
	p.server.outMu.Lock()
	rec, _ := p.server.sealRecord(p.server.outBuf, recordApplicationData, []byte("cut short"))
	p.svrNet.Write(rec[:8])
	p.server.outMu.Unlock()
	p.client.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	_, err := p.client.Read(make([]byte, 1))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read of half a record: %v", err)
	}
	p.client.SetReadDeadline(time.Now().Add(testLimit))
	if _, again := p.client.Read(make([]byte, 1)); again == nil {
		t.Error("connection usable after a record was cut by a deadline")
	}
}
