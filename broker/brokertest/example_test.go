package brokertest_test

import (
	"fmt"
	"log"
	"net"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/brokertest"
)

// A test moves the broker's clock on instead of waiting: here a client
// that starts a CONNECT and never finishes it is closed when the connect
// timeout has passed, without the test taking 10 s.
func ExampleClock() {
	clock := brokertest.NewClock(time.Unix(0, 0))
	b, err := broker.New(broker.Config{Limits: broker.PicoLimits, Clock: clock})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()

	srv, cli := net.Pipe()
	defer cli.Close()
	served := make(chan error, 1)
	go func() { served <- b.ServeConn(srv) }()
	// A pipe's Write returns once the broker has read the byte: it is now
	// serving the connection and waiting for the rest of the CONNECT.
	if _, err := cli.Write([]byte{0x10}); err != nil {
		log.Fatal(err)
	}
	clock.Advance(broker.PicoLimits.ConnectTimeout - time.Millisecond)
	fmt.Println("connections:", b.Stats().Connections)
	clock.Advance(time.Millisecond) // runs the broker's watchdog, here
	fmt.Println(<-served)
	// Output:
	// connections: 1
	// broker: no CONNECT within the connect timeout
}
