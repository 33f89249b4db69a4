package listen_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/listen"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// TestHalfConnectFlood opens 400 TCP connections that each send half a
// CONNECT and stall, more than the broker has slots for; a client that
// connects after them is answered within 2 s, though the connect timeout
// that would otherwise free their slots is 10 s.
func TestHalfConnectFlood(t *testing.T) {
	const flood = 400
	lim := broker.HostLimits // 322 connection slots
	lim.ConnectTimeout = 10 * time.Second
	b, err := broker.New(broker.Config{Limits: lim})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- listen.Serve(ctx, ln, b) }()
	defer func() { cancel(); <-served }()

	for range flood {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Write([]byte{0x10, 0x0f, 0x00, 0x04, 0x4d}); err != nil {
			t.Fatal(err)
		}
	}
	// Every one of them has been given a slot or refused: an Eventually
	// on the counters, which no packet reports.
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.After(5 * time.Second)
	for st := b.Stats(); st.ConnectionsTotal+st.ConnectionsRefused < flood; st = b.Stats() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("the broker took %d of %d connections within 5 s", st.ConnectionsTotal+st.ConnectionsRefused, flood)
		}
	}

	start := time.Now()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(start.Add(2 * time.Second))
	buf, _ := packet.Connect{ClientID: []byte("late"), CleanSession: true}.Append(nil)
	if _, err := c.Write(buf); err != nil {
		t.Fatal(err)
	}
	p, err := packet.NewReader(c, make([]byte, 64)).ReadPacket()
	if err != nil {
		t.Fatalf("no CONNACK within 2 s of a flood of %d half CONNECTs: %v (%+v)", flood, err, b.Stats())
	}
	if ack, ok := p.(*packet.Connack); !ok || ack.ReturnCode != packet.Accepted {
		t.Fatalf("got %+v, want CONNACK 0", p)
	}
	t.Logf("CONNACK after %v; %d streams closed to make room", time.Since(start), b.Stats().PendingEvicted)
}

func TestSource(t *testing.T) {
	tests := []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(192, 0, 2, 7), Port: 1883}, "192.0.2.7"},
		{&net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 1883, Zone: ""}, "2001:db8::1"},
		{&net.UDPAddr{IP: net.IPv4(192, 0, 2, 8), Port: 5}, "192.0.2.8"},
		{&net.UnixAddr{Name: "/run/mqtt.sock", Net: "unix"}, "/run/mqtt.sock"},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := listen.Source(tt.addr); got != tt.want {
			t.Errorf("Source(%v) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}
