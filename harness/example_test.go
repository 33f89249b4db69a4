package harness_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

// Outside Ginkgo, targets and clients are plain values with errors: parse
// a target, start it, and talk to it through a raw client.
func Example() {
	t, err := target.Parse("inproc:pico")
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := t.Start(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	defer t.Stop()

	c, err := client.Dial(t)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	creds := t.Capabilities().Credentials
	ack, err := c.Connect(client.ConnectOptions{
		ClientID: "example", CleanSession: true, Username: creds.Name, Password: creds.Password,
	}, 5*time.Second)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t.Name(), "answered", client.Describe(ack))
	fmt.Println("sessions allowed:", t.Capabilities().Limits.Sessions)
	// Output:
	// inproc:pico answered CONNACK(code=0 accepted, session present=false)
	// sessions allowed: 5
}

// A spec states what it needs; Missing says what a target lacks, which
// Require turns into a Ginkgo skip with the reason.
func ExampleCapabilities_Missing() {
	t, _ := target.Parse("tcp://127.0.0.1:1883?qos=1&sessions=4")
	for _, m := range t.Capabilities().Missing(target.Needs{QoS: 2, Sessions: 10, Auth: true}, t.Endpoints()) {
		fmt.Println(m)
	}
	// Output:
	// needs 10 sessions, target allows 4
	// needs QoS 2, target supports up to QoS 1
	// needs known credentials (tcp targets: ?username=&password=)
	// needs a target that refuses wrong passwords
}
