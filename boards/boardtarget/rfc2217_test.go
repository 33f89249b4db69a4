package boardtarget

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/boards/rfc2217"
	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target/targettest"
)

// farmLine is a board's serial line behind an RFC 2217 server: the host
// end of the pipe the firmware core runs on, with the baud rates the
// client set recorded.
type farmLine struct {
	net.Conn
	mu    sync.Mutex
	bauds []int
}

func (l *farmLine) SetBaudRate(b int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bauds = append(l.bauds, b)
	return nil
}
func (l *farmLine) SetDTR(bool) error { return nil }
func (l *farmLine) SetRTS(bool) error { return nil }

// TestRFC2217Target runs the suites' target over a board farm's port: a
// Pico's firmware core served over RFC 2217 on 127.0.0.1, as ser2net
// serves a board, takes an MQTT client through the link.
func TestRFC2217Target(t *testing.T) {
	line := &farmLine{Conn: board(t, &boards.Pico)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() {
		defer close(served)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		(&rfc2217.Server{Line: line}).ServeConn(ctx, c)
	}()
	t.Cleanup(func() { cancel(); ln.Close(); <-served })

	tg := targettest.Started(t, "rfc2217://"+ln.Addr().String()+"?board=pico&baud=921600")
	if ex, ok := tg.(interface{ Exclusive() bool }); !ok || !ex.Exclusive() {
		t.Error("an RFC 2217 port has one owner, but the target does not say it is exclusive")
	}
	c, err := client.DialAddr(ctx, tg.Endpoints().MQTT)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ack, err := c.Connect(client.ConnectOptions{ClientID: "farm", CleanSession: true}, 5*time.Second)
	if err != nil || ack.ReturnCode != packet.Accepted {
		t.Fatalf("CONNECT over the farm's port: %v %s", err, client.Describe(ack))
	}
	line.mu.Lock()
	defer line.mu.Unlock()
	if len(line.bauds) != 1 || line.bauds[0] != 921600 {
		t.Errorf("baud rates set on the line: %v, want [921600]", line.bauds)
	}
}
