package psknet_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk/psknet"
)

const testLimit = 10 * time.Second // bound on every exchange

var testKey = bytes.Repeat([]byte{0x42}, 16)

func clientConfig() *tlspsk.Config {
	return &tlspsk.Config{PSK: tlspsk.PSK{Identity: "board-7", Key: testKey}}
}

func serverConfig() *tlspsk.Config {
	return &tlspsk.Config{PSKs: []tlspsk.PSK{{Identity: "board-7", Key: testKey}}}
}

// exchange writes msg on w and checks that r reads it.
func exchange(t *testing.T, w, r net.Conn, msg []byte) {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		_, err := w.Write(msg)
		errc <- err
	}()
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(r, got); err != nil {
		t.Fatalf("read: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("write: %v", err)
	}
	if !bytes.Equal(got, msg) {
		t.Fatalf("read %q, want %q", got, msg)
	}
}

// TestListenerOverTCP: Listen wraps accepted connections; addresses, the
// net.Conn and the deadlines are those of the TCP connection.
func TestListenerOverTCP(t *testing.T) {
	ln, err := psknet.Listen("tcp", "127.0.0.1:0", serverConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan *psknet.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c.(*psknet.Conn)
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	client := psknet.Client(nc, clientConfig())
	defer client.Close()
	if err := client.SetDeadline(time.Now().Add(testLimit)); err != nil {
		t.Fatalf("SetDeadline over TCP: %v", err)
	}
	var server *psknet.Conn
	select {
	case server = <-accepted:
	case <-time.After(testLimit):
		t.Fatal("no connection accepted")
	}
	if server == nil {
		t.Fatal("accept failed")
	}
	defer server.Close()
	if err := server.SetDeadline(time.Now().Add(testLimit)); err != nil {
		t.Fatalf("SetDeadline over TCP: %v", err)
	}
	exchange(t, client, server, []byte("over TCP"))
	exchange(t, server, client, []byte("and back"))
	if server.RemoteAddr().String() != nc.LocalAddr().String() || client.NetConn() != nc {
		t.Errorf("addresses: server sees %v, client is %v", server.RemoteAddr(), nc.LocalAddr())
	}
	if client.LocalAddr() != nc.LocalAddr() || client.RemoteAddr() != nc.RemoteAddr() {
		t.Errorf("client addresses %v → %v, want those of its TCP connection", client.LocalAddr(), client.RemoteAddr())
	}
	if st := server.ConnectionState(); !st.HandshakeComplete || st.Identity != "board-7" {
		t.Errorf("server state %+v", st)
	}
}

// TestListenChecksConfig: Listen refuses a configuration no server
// handshake could use before it listens.
func TestListenChecksConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  *tlspsk.Config
	}{
		{"nil", nil},
		{"no PSKs", &tlspsk.Config{}},
		{"PSK without key", &tlspsk.Config{PSKs: []tlspsk.PSK{{Identity: "board-7"}}}},
		{"client config", clientConfig()},
		{"bad group", &tlspsk.Config{PSKs: serverConfig().PSKs, Groups: []tlspsk.Group{0x18}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := psknet.Listen("tcp", "127.0.0.1:0", tt.cfg)
			if err == nil {
				ln.Close()
			}
			if !errors.Is(err, tlspsk.ErrConfig) {
				t.Errorf("Listen: %v, want ErrConfig", err)
			}
		})
	}
}
