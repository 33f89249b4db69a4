package listen_test

import (
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker/listen"
)

// TestConfigKeepsSystemKeepAlive: connections accepted by a listener of
// Config have TCP keep-alive on with the system's idle time, not Go's
// 15 seconds, which costs three more system calls per connection.
func TestConfigKeepsSystemKeepAlive(t *testing.T) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/tcp_keepalive_time")
	if err != nil {
		t.Skipf("system keep-alive time unknown: %v", err)
	}
	want, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	lc := listen.Config()
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rc, err := s.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var on, idle int
	var onErr, idleErr error
	rc.Control(func(fd uintptr) {
		on, onErr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_KEEPALIVE)
		idle, idleErr = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE)
	})
	if onErr != nil || idleErr != nil {
		t.Fatalf("getsockopt: %v, %v", onErr, idleErr)
	}
	if on != 1 || idle != want {
		t.Errorf("SO_KEEPALIVE %d, TCP_KEEPIDLE %d s; want 1 and the system's %d s", on, idle, want)
	}
}
