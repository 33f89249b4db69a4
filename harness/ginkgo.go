package harness

import (
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"
	"github.com/onsi/ginkgo/v2"
)

// Timeout is the default bound specs use when waiting for a server's
// answer through the Ginkgo helpers.
// A target that declares a longer ReplyTimeout raises it when it starts.
var Timeout = 5 * time.Second

// Paho returns a paho client connected to the current target, with a
// unique client id. When the spec ends it is disconnected and, if it used
// clean session 0, its session is cleared (see ClearSession). It fails the
// spec if the server refuses or does not answer.
func Paho(configure ...func(*mqtt.ClientOptions)) *client.PahoClient {
	ginkgo.GinkgoHelper()
	t := Current()
	c := client.NewPaho(t, client.ClientID(""), configure...)
	cleanupPaho(t, c)
	if _, err := c.ConnectWait(); err != nil {
		ginkgo.Fail(err.Error())
	}
	return c
}

// cleanupPaho disconnects c when the spec ends and clears its session if
// it used clean session 0.
func cleanupPaho(t target.Target, c *client.PahoClient) {
	ginkgo.DeferCleanup(func() {
		c.Close()
		if r := c.OptionsReader(); !r.CleanSession() {
			if err := client.ClearSession(t, r.ClientID()); err != nil {
				ginkgo.Fail(err.Error())
			}
		}
	})
}

// Raw returns a raw client connected (at the network level only) to the
// current target. When the spec ends it is closed, the sessions of the
// clean-session-0 CONNECTs it sent are cleared (see ClearSession), and the
// retained messages it published (or set as retained wills) are deleted
// (see ClearRetained).
func Raw() *client.RawClient {
	ginkgo.GinkgoHelper()
	t := Current()
	c, err := client.Dial(t)
	if err != nil {
		ginkgo.Fail(err.Error())
	}
	cleanupRaw(t, c)
	return c
}

// cleanupRaw closes c when the spec ends and clears the sessions and
// retained messages it left on t.
func cleanupRaw(t target.Target, c *client.RawClient) {
	ginkgo.DeferCleanup(func() {
		c.Close()
		for _, id := range c.PersistentSessions() {
			if err := client.ClearSession(t, id); err != nil {
				ginkgo.Fail(err.Error())
			}
		}
		if t.Capabilities().Retain {
			if err := client.ClearRetained(t, c.RetainedTopics()...); err != nil {
				ginkgo.Fail(err.Error())
			}
		}
	})
}

// RawSession returns a raw client that has completed an accepted CONNECT
// with o. An empty o.ClientID gets a unique one, and an empty o.Username
// gets the target's credentials when it has any.
func RawSession(o client.ConnectOptions) *client.RawClient {
	ginkgo.GinkgoHelper()
	if o.ClientID == "" {
		o.ClientID = client.ClientID("raw")
	}
	c, _ := Accepted(o)
	return c
}
