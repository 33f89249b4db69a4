package main

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
)

// TestRunPSKStalledHandshake: a connection to the PSK port whose handshake
// never completes is closed by the broker's -connect-timeout. The
// handshake runs inside the broker's first read, so the wait for CONNECT
// covers it; meanwhile other clients are served.
func TestRunPSKStalledHandshake(t *testing.T) {
	const timeout = 300 * time.Millisecond
	_, pskAddr, _ := startPSK(t, "-connect-timeout", timeout.String())
	hello := clientHelloRecord(t)
	stalls := []struct {
		name string
		send []byte
	}{
		{"nothing", nil},
		{"half a ClientHello", hello[:len(hello)/2]},
		// The server answers with its flight and waits for a Finished
		// that never comes.
		{"a ClientHello and no Finished", hello},
	}
	type result struct {
		took time.Duration
		err  error
	}
	results := make([]chan result, len(stalls))
	for i, s := range stalls {
		results[i] = make(chan result, 1)
		start := time.Now()
		c, err := net.DialTimeout("tcp", pskAddr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if _, err := c.Write(s.send); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		go func() {
			// Reads whatever the server sends until it closes, or
			// until well past the timeout.
			c.SetReadDeadline(start.Add(timeout + 3*time.Second))
			_, err := io.Copy(io.Discard, c)
			results[i] <- result{time.Since(start), err}
		}()
	}

	// A client that completes its handshake is served meanwhile.
	conn, err := dialPSK(t, pskAddr, &tlspsk.Config{PSK: tlspsk.PSK{Identity: testIdentity, Key: mustHex(t, testKeyHex)}})
	if err != nil {
		t.Fatalf("handshake beside the stalled ones: %v", err)
	}
	good := speak(t, conn)
	mustConnect(t, good, client.ConnectOptions{ClientID: "psk-beside-stalls", CleanSession: true})

	for i, s := range stalls {
		r := <-results[i]
		if errors.Is(r.err, os.ErrDeadlineExceeded) {
			t.Errorf("sending %s: still open after %v, connect timeout %v", s.name, r.took, timeout)
			continue
		}
		// A reset is a close too; anything else is not.
		var ne *net.OpError
		if r.err != nil && !errors.As(r.err, &ne) {
			t.Errorf("sending %s: %v", s.name, r.err)
		}
		if r.took < timeout-50*time.Millisecond {
			t.Errorf("sending %s: closed after %v, before the connect timeout %v", s.name, r.took, timeout)
		}
		t.Logf("sending %s: closed after %v", s.name, r.took.Round(time.Millisecond))
	}

	// The served client is still served after the stalled ones are gone.
	check(t, good.Send(&packet.Pingreq{}))
	check(t, good.ExpectPingresp(ioWait))
}

// clientHelloRecord returns the first record a tlspsk client for board-1
// sends: its ClientHello.
func clientHelloRecord(t *testing.T) []byte {
	t.Helper()
	client, peer := net.Pipe()
	defer peer.Close()
	// Closing peer ends the client's handshake: its read fails.
	go tlspsk.ClientOver(client, &tlspsk.Config{PSK: tlspsk.PSK{Identity: testIdentity, Key: mustHex(t, testKeyHex)}}).Handshake()
	peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(peer, hdr); err != nil {
		t.Fatal(err)
	}
	body := make([]byte, int(hdr[3])<<8|int(hdr[4]))
	if _, err := io.ReadFull(peer, body); err != nil {
		t.Fatal(err)
	}
	return append(hdr, body...)
}
