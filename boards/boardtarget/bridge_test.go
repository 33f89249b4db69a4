package boardtarget

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/boards/firmware"
	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness/client"
)

// board runs the firmware core of p in this process at one end of a pipe
// and returns the other end, the host's line.
func board(t *testing.T, p *boards.Profile) net.Conn {
	t.Helper()
	return boardWith(t, p, firmware.Options{})
}

// boardWith is board with opts (Version and Epoch are set).
func boardWith(t *testing.T, p *boards.Profile, opts firmware.Options) net.Conn {
	t.Helper()
	host, dev := net.Pipe()
	opts.Version, opts.Epoch = "test", 7
	core, err := firmware.Start(dev, p, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { core.Link.Close(); dev.Close() })
	return host
}

func TestBridgeServesMQTTStreams(t *testing.T) {
	p := &boards.Pico
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, h, err := attach(ctx, board(t, p), p, "a pipe")
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	if h.Board != "pico" || h.Version != "test" || h.MaxSessions != uint64(p.Limits.MaxSessions) {
		t.Errorf("hello %+v", h)
	}
	if b.pskAddr() != "" {
		t.Errorf("a TLS-PSK listener at %s for firmware that serves none", b.pskAddr())
	}

	// Two clients, each on a stream of its own: one subscribes, the other
	// publishes, and the message crosses the link twice.
	dial := func(id string) *client.RawClient {
		t.Helper()
		c, err := client.DialAddr(ctx, b.addr())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		ack, err := c.Connect(client.ConnectOptions{ClientID: id, CleanSession: true}, 5*time.Second)
		if err != nil || ack.ReturnCode != packet.Accepted {
			t.Fatalf("CONNECT %s: %v %s", id, err, client.Describe(ack))
		}
		return c
	}
	sub, pub := dial("sub"), dial("pub")
	if _, err := sub.Subscribe(1, 1, 5*time.Second, "t/#"); err != nil {
		t.Fatal(err)
	}
	if err := pub.PublishWait("t/1", []byte("over the link"), 1, false, 9, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	got, err := sub.ExpectPublish(5 * time.Second)
	if err != nil || string(got.Payload) != "over the link" {
		t.Fatalf("subscriber got %s, %v", client.Describe(got), err)
	}

	// A client's close reaches the broker: its session goes.
	if err := pub.Close(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		s, err := b.ctl.Stats(time.Second)
		if err == nil && s.Connections == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("connections after a client closed: %+v %v", s, err)
		}
	}
}

func TestAttachRefusesAnotherBoard(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _, err := attach(ctx, board(t, &boards.ESP32C3), &boards.Pico, "a pipe")
	if err == nil || !strings.Contains(err.Error(), `runs on board "esp32c3"`) {
		t.Errorf("attach to an esp32c3 expecting a pico: %v", err)
	}
}

func TestAttachToSilentLine(t *testing.T) {
	host, dev := net.Pipe()
	defer dev.Close()
	go func() { // a line that takes bytes and never answers
		b := make([]byte, 256)
		for {
			if _, err := dev.Read(b); err != nil {
				return
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	_, _, err := attach(ctx, host, &boards.Pico, "serial port /dev/ttyX")
	if err == nil || !strings.Contains(err.Error(), "serial port /dev/ttyX: no hello from the firmware") {
		t.Errorf("attach to a silent line: %v", err)
	}
}
