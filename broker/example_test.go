package broker_test

import (
	"fmt"
	"net"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// A broker serves any byte stream; here one end of an in-memory pipe, with
// a client on the other end written with the codec.
func ExampleBroker_ServeConn() {
	b, err := broker.New(broker.Config{Limits: broker.PicoLimits})
	if err != nil {
		panic(err)
	}
	defer b.Close()

	srv, cli := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- b.ServeConn(srv) }()

	rd := packet.NewReader(cli, make([]byte, 512))
	send := func(p packet.Packet) {
		buf, _ := p.Append(nil)
		cli.Write(buf)
	}
	send(packet.Connect{ClientID: []byte("example"), CleanSession: true})
	p, _ := rd.ReadPacket()
	fmt.Println("CONNACK code", p.(*packet.Connack).ReturnCode)

	send(packet.NewSubscribe(1, packet.Filter{Topic: []byte("greetings/+"), QoS: 0}))
	p, _ = rd.ReadPacket()
	fmt.Println("granted", p.(*packet.Suback).ReturnCodes)

	b.Publish("greetings/world", []byte("hello"), 0, false)
	p, _ = rd.ReadPacket()
	pub := p.(*packet.Publish)
	fmt.Printf("%s: %s\n", pub.Topic, pub.Payload)

	send(packet.Disconnect{})
	fmt.Println("ServeConn returned", <-done)
	// Output:
	// CONNACK code 0
	// granted [0]
	// greetings/world: hello
	// ServeConn returned <nil>
}

// The in-process client subscribes with a handler and publishes without a
// network, through the same routing, limits and retained store as clients.
func ExampleBroker_Subscribe() {
	b, err := broker.New(broker.Config{Limits: broker.PicoLimits})
	if err != nil {
		panic(err)
	}
	defer b.Close()

	b.Publish("config/led", []byte("on"), 1, true) // retained

	got := make(chan string)
	b.Subscribe("config/#", 1, func(m broker.Message) {
		// Topic and Payload are valid during the call only.
		got <- fmt.Sprintf("%s=%s retain=%v", m.Topic, m.Payload, m.Retain)
	})
	fmt.Println(<-got)
	b.Publish("config/led", []byte("off"), 1, false)
	fmt.Println(<-got)
	// Output:
	// config/led=on retain=true
	// config/led=off retain=false
}

func ExampleNew() {
	lim := broker.PicoLimits
	lim.MaxSessions = 4
	b, err := broker.New(broker.Config{
		Limits: lim,
		Users:  []broker.User{{Name: "sensor", Password: "s3cret"}},
	})
	if err != nil {
		panic(err)
	}
	defer b.Close()
	fmt.Println(b.Limits().MaxSessions, "sessions,", b.Stats().StateBytes > 0)
	// Output: 4 sessions, true
}

func ExampleACL() {
	// Sensors publish their readings and read their configuration; the
	// dashboard reads everything below sensors/ and configures them.
	acl := broker.ACL{
		{User: "sensor", Filter: "sensors/readings/#", Access: broker.Write},
		{User: "sensor", Filter: "sensors/config/#", Access: broker.Read},
		{User: "dashboard", Filter: "sensors/#", Access: broker.Read},
		{User: "dashboard", Filter: "sensors/config/#", Access: broker.Write},
	}
	b, err := broker.New(broker.Config{
		Limits: broker.PicoLimits,
		Users: []broker.User{
			{Name: "sensor", Password: "s3cret"},
			{Name: "dashboard", Password: "d4sh"},
		},
		Authorize: acl.Authorize,
	})
	if err != nil {
		panic(err)
	}
	defer b.Close()
	check := func(user, topic string, write bool) {
		fmt.Println(user, topic, "write:", write, "->", acl.Authorize([]byte(user), []byte(topic), write))
	}
	check("sensor", "sensors/readings/t1", true)
	check("sensor", "sensors/config/t1", true)
	check("dashboard", "sensors/+/t1", false)
	check("dashboard", "#", false)
	// Output:
	// sensor sensors/readings/t1 write: true -> true
	// sensor sensors/config/t1 write: true -> false
	// dashboard sensors/+/t1 write: false -> true
	// dashboard # write: false -> false
}
