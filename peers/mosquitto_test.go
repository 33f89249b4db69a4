package peers_test

import (
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/gatomqtt/gatomqtt/peers"
)

func TestMosquittoStartsAndStops(t *testing.T) {
	m, err := peers.StartMosquitto(peers.MosquittoOptions{Users: []peers.User{{Name: "alice", Password: "s3cret"}}})
	if err != nil {
		if strings.Contains(err.Error(), peers.ErrNotInstalled.Error()) {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", m.Addr)
	if err != nil {
		t.Fatalf("mosquitto reported started but does not accept: %v", err)
	}
	conn.Close()
	if err := syscall.Kill(m.PID(), 0); err != nil || m.PID() <= 0 {
		t.Errorf("PID() = %d, not a running process: %v", m.PID(), err)
	}
	if want := "username=alice"; !strings.Contains(m.Target(), want) || !strings.Contains(m.Target(), "peer=mosquitto") {
		t.Errorf("Target() = %q, want peer and %s", m.Target(), want)
	}
	if err := m.Stop(); err != nil {
		t.Fatal(err)
	}
	if c, err := net.Dial("tcp", m.Addr); err == nil {
		c.Close()
		t.Errorf("%s still accepts after Stop", m.Addr)
	}
}

func TestMosquittoBadConfigFailsClearly(t *testing.T) {
	if _, err := peers.MosquittoPath(); err != nil {
		t.Skip(err)
	}
	_, err := peers.StartMosquitto(peers.MosquittoOptions{Config: []string{"no_such_option 1"}})
	if err == nil || !strings.Contains(err.Error(), "exited before listening") {
		t.Fatalf("StartMosquitto with a bad config: %v", err)
	}
}
