// Command stackprobe runs a board's firmware core and its host side in one
// program, over in-memory pipes, through the MQTT flows that go deepest
// into the broker: CONNECT with a will, wildcard SUBSCRIBE at QoS 2,
// retained PUBLISH and its replay, QoS 1 and QoS 2 fan-out to every
// session, an abrupt close that fires the will. It prints the firmware's
// broker state and link buffer sizes as the runtime it was built with
// counts them ("state <broker> <link>"), then "ok" at the end.
//
// gatomqtt-firmware builds it with TinyGo for riscv-qemu (a 32-bit RISC-V
// like the ESP32-C3, with stack frames the size of the RP2040's) at the
// board profile's -stack-size and runs it in qemu-system-riscv32: TinyGo
// checks each goroutine's stack canary when it switches, so a profile whose
// StackBytes is too small fails with "goroutine stack overflow" instead of
// corrupting memory on a desk. Select the board with
// -ldflags="-X main.board=esp32c3" (default pico).
package main

import (
	"cmp"
	"io"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/boards/firmware"
	"github.com/gatomqtt/gatomqtt/boards/link"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// board is set with -ldflags="-X main.board=..."; TinyGo 0.37 ignores -X
// for a variable that has an initial value, hence the default in main.
var board string

type duplex struct {
	io.Reader
	io.Writer
}

func check(err error, what string) {
	if err != nil {
		panic(what + ": " + err.Error())
	}
}

// client is one MQTT client on a link stream.
type client struct {
	s        *link.Stream
	r        *packet.Reader
	out      []byte
	received int // PUBLISH packets received
}

func (c *client) send(p packet.Packet) {
	var err error
	c.out, err = p.Append(c.out[:0])
	check(err, "encode")
	_, err = c.s.Write(c.out)
	check(err, "write")
}

// await reads until a packet of type t arrives, answering PUBLISH and
// PUBREL on the way as a client must.
func (c *client) await(t packet.Type) packet.Packet {
	for {
		p, err := c.r.ReadPacket()
		check(err, "read")
		switch q := p.(type) {
		case *packet.Publish:
			c.received++
			switch q.QoS {
			case 1:
				c.send(packet.Puback{PacketID: q.PacketID})
			case 2:
				c.send(packet.Pubrec{PacketID: q.PacketID})
			}
		case *packet.Pubrel:
			c.send(packet.Pubcomp{PacketID: q.PacketID})
		}
		if p.Type() == t {
			return p
		}
	}
}

// awaitPublishes reads until the client has received n PUBLISH packets and
// answered the PUBREL of each QoS 2 one.
func (c *client) awaitPublishes(n int, qos2 bool) {
	for c.received < n {
		c.await(packet.PUBLISH)
		if qos2 {
			c.await(packet.PUBREL)
		}
	}
}

func connect(host *link.Link, p *boards.Profile, id string, will bool) *client {
	s, err := host.Open()
	check(err, "open")
	c := &client{s: s, r: packet.NewReader(s, make([]byte, p.Limits.MaxPacketSize)), out: make([]byte, 0, p.Limits.MaxPacketSize)}
	conn := packet.Connect{CleanSession: true, KeepAlive: 60, ClientID: []byte(id)}
	if will {
		conn.WillFlag, conn.WillQoS, conn.WillTopic, conn.WillMessage = true, 1, []byte("will/"+id), []byte("gone")
	}
	c.send(conn)
	if ack := c.await(packet.CONNACK).(*packet.Connack); ack.ReturnCode != packet.Accepted {
		panic("CONNACK refused " + id)
	}
	c.send(packet.NewSubscribe(1, packet.Filter{Topic: []byte("t/#"), QoS: 2}, packet.Filter{Topic: []byte("will/#"), QoS: 1}))
	c.await(packet.SUBACK)
	return c
}

func main() {
	p, ok := boards.Lookup(cmp.Or(board, "pico"))
	if !ok {
		panic("no board " + board)
	}
	ar, bw := io.Pipe()
	br, aw := io.Pipe()
	core, err := firmware.Start(duplex{br, bw}, p, firmware.Options{Epoch: 7})
	check(err, "start")
	// The memory figures as the TinyGo runtime counts them, for the gate.
	h := core.Hello()
	println("state", h.StateBytes, h.LinkBytes)
	cfg := p.Link
	cfg.Epoch = 9
	host, err := link.New(duplex{ar, aw}, cfg)
	check(err, "link")

	n := min(p.Limits.MaxSessions, p.Limits.MaxConnections) - 1
	clients := make([]*client, n)
	for i := range clients {
		clients[i] = connect(host, p, string(rune('a'+i)), i == 0)
	}
	pub := clients[1]
	payload := make([]byte, p.Limits.MaxPayloadSize)

	pub.send(packet.Publish{QoS: 1, Retain: true, Topic: []byte("t/retained"), PacketID: 1, Payload: payload})
	pub.await(packet.PUBACK)
	expect := 1
	for _, c := range clients {
		c.awaitPublishes(expect, false)
	}
	for i := 0; i < 10; i++ {
		pub.send(packet.Publish{QoS: 2, Topic: []byte("t/x"), PacketID: uint16(2 + i), Payload: payload})
		pub.await(packet.PUBREC)
		pub.send(packet.Pubrel{PacketID: uint16(2 + i)})
		pub.await(packet.PUBCOMP)
		expect++
		for _, c := range clients {
			c.awaitPublishes(expect, true)
		}
	}

	late := connect(host, p, "z", false) // the retained message is replayed
	late.awaitPublishes(1, false)

	clients[0].s.Close() // no DISCONNECT: the will goes to will/#
	for _, c := range append(clients[1:], late) {
		c.awaitPublishes(c.received+1, false)
	}
	println("ok")
}
