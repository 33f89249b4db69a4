package main

import (
	"testing"

	"github.com/gatomqtt/gatomqtt/harness/client"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// TestSysInterval: the daemon publishes $SYS statistics at -sys-interval,
// and none with 0.
func TestSysInterval(t *testing.T) {
	t.Run("every 5ms", func(t *testing.T) {
		addr := start(t, "-sys-interval", "5ms")
		c := dial(t, addr)
		mustConnect(t, c, client.ConnectOptions{ClientID: "sys", CleanSession: true})
		_, err := c.Subscribe(1, 0, ioWait, "$SYS/broker/clients/connected")
		check(t, err)
		// The retained figure from before it connected may say 0; a later
		// update counts it.
		for {
			p, err := c.ExpectPublish(ioWait)
			check(t, err)
			if string(p.Payload) == "1" {
				return
			}
		}
	})
	t.Run("none with 0", func(t *testing.T) {
		addr := start(t, "-sys-interval", "0")
		c := dial(t, addr)
		mustConnect(t, c, client.ConnectOptions{ClientID: "sys", CleanSession: true})
		_, err := c.Subscribe(1, 0, ioWait, "$SYS/#")
		check(t, err)
		// A retained $SYS message would come before the PINGRESP.
		check(t, c.Send(packet.Pingreq{}))
		check(t, c.ExpectPingresp(ioWait))
	})
}
