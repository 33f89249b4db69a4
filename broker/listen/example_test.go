package listen_test

import (
	"context"
	"fmt"
	"log"
	"net"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/listen"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// Serve a broker on a free TCP port, connect a client, and shut down. A
// daemon would call ListenAndServe with the MQTT port and a context that
// ends on SIGINT or SIGTERM (signal.NotifyContext).
func ExampleServe() {
	b, err := broker.New(broker.Config{Limits: broker.HostLimits})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- listen.Serve(ctx, ln, b) }()

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	connect, _ := packet.Connect{ClientID: []byte("example"), CleanSession: true}.Append(nil)
	if _, err := c.Write(connect); err != nil {
		log.Fatal(err)
	}
	p, err := packet.NewReader(c, make([]byte, 16)).ReadPacket()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("CONNACK", p.(*packet.Connack).ReturnCode)

	stop()
	fmt.Println(<-served)
	// Output:
	// CONNACK 0
	// context canceled
}
