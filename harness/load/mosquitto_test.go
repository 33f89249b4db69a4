package load

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

const mosquittoPath = "/usr/sbin/mosquitto"

// startMosquitto runs mosquitto on a free loopback port until the test
// ends and returns its address and process id. It skips the test when
// mosquitto is not installed.
func startMosquitto(t *testing.T) (addr string, pid int) {
	t.Helper()
	if _, err := os.Stat(mosquittoPath); err != nil {
		t.Skipf("mosquitto not installed (%v); apt-get install mosquitto to run this test", err)
	}
	addr = listenAndClose(t)
	_, port, _ := net.SplitHostPort(addr)
	conf := filepath.Join(t.TempDir(), "mosquitto.conf")
	text := fmt.Sprintf("listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 0\n", port)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(mosquittoPath, "-c", conf)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mosquitto: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})

	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	poll := time.NewTicker(10 * time.Millisecond)
	defer poll.Stop()
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return addr, cmd.Process.Pid
		}
		select {
		case err := <-exited:
			t.Fatalf("mosquitto exited before accepting connections: %v\n%s", err, stderr.String())
		case <-deadline.C:
			t.Fatalf("mosquitto did not accept connections on %s within 10 s\n%s", addr, stderr.String())
		case <-poll.C:
		}
	}
}

func TestRunAgainstMosquitto(t *testing.T) {
	addr, pid := startMosquitto(t)
	tests := []struct {
		name string
		cfg  Config
	}{
		{"QoS 1 fan-in", Config{Publishers: 2, Subscribers: 1, QoS: 1, Count: 3000}},
		{"QoS 1 fan-out", Config{Publishers: 1, Subscribers: 3, QoS: 1, Count: 2000, PayloadSize: 256}},
		{"QoS 0 at a fixed rate", Config{Publishers: 2, Subscribers: 2, QoS: 0, Rate: 2000, Duration: 300 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Addr, cfg.PID, cfg.Label = addr, pid, "mosquitto"
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			res, err := Run(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, res)
			if cfg.QoS == 1 {
				if want := uint64(cfg.Count * cfg.Publishers); res.Sent != want || res.Unacked != 0 {
					t.Errorf("sent %d with %d unacked, want %d acknowledged", res.Sent, res.Unacked, want)
				}
				if res.Lost != 0 || res.Duplicates != 0 {
					t.Errorf("QoS 1 lost %d and duplicated %d messages, want none", res.Lost, res.Duplicates)
				}
			}
			if res.MemoryAfter == nil || res.MemoryAfter.RSS == 0 {
				t.Errorf("no broker memory: %+v", res.MemoryAfter)
			}
		})
	}
}
