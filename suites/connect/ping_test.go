package connect_test

import (
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("PINGREQ and keep alive", func() {
	It("answers every PINGREQ with a PINGRESP whose reserved header bits are 0",
		Label("MQTT-3.12.4-1", "MQTT-2.2.2-1"), SpecTimeout(specTimeout), func(ctx SpecContext) {
			c := harness.RawSession(client.ConnectOptions{CleanSession: true, KeepAlive: 60})
			for i := range 3 {
				Expect(c.Send(&packet.Pingreq{})).To(Succeed())
				b, err := c.ReadRaw(harness.Timeout)
				Expect(err).NotTo(HaveOccurred(), "PINGRESP %d", i+1)
				Expect(b).To(Equal([]byte{0xd0, 0x00}), "PINGRESP %d", i+1)
			}
			// Two in one write get two answers.
			Expect(c.SendBytes(append(frame(&packet.Pingreq{}), frame(&packet.Pingreq{})...))).To(Succeed())
			Expect(c.ExpectPingresp(harness.Timeout)).To(Succeed())
			Expect(c.ExpectPingresp(harness.Timeout)).To(Succeed())
		})

	// One spec only: it has to wait the keep alive out.
	It("closes a connection that sends nothing for one and a half times its keep alive of 1 s",
		Label("MQTT-3.1.2-24"), SpecTimeout(10*time.Second), func(ctx SpecContext) {
			const keepAlive = time.Second
			c := harness.Raw()
			Expect(c.Send(harness.Credentials(client.ConnectOptions{ClientID: client.ClientID("ka"), CleanSession: true, KeepAlive: 1}).Packet())).To(Succeed())
			// Times on the target's clock: an emulated board's runs slower
			// than the host's while its CPU is busy.
			sent := harness.Now()
			ack, err := c.ExpectConnack(harness.Timeout)
			Expect(err).NotTo(HaveOccurred())
			Expect(ack.ReturnCode).To(Equal(packet.Accepted))
			acked := harness.Now()

			// The server's clock starts when it reads the CONNECT, between
			// the CONNECT leaving and the CONNACK arriving. It must not
			// close before the keep alive has passed once from the CONNACK
			// (the client has broken nothing until then), and must close
			// once one and a half have passed from it at the latest; a
			// CONNACK slowed by a loaded machine narrows nothing. The
			// margin is for a server that checks its timers coarsely and
			// for scheduling on a loaded machine.
			const margin = time.Second
			err = harness.ExpectClosedWithin(c, keepAlive*3/2+margin)
			closed := harness.Now()
			Expect(err).NotTo(HaveOccurred(), "CONNACK came %s after the CONNECT", acked-sent)
			Expect(closed-acked).To(BeNumerically(">=", keepAlive-50*time.Millisecond),
				"closed %s after the CONNACK: before the keep alive had passed", closed-acked)
			Expect(closed-acked).To(BeNumerically("<=", keepAlive*3/2+margin+100*time.Millisecond),
				"closed %s after the CONNACK", closed-acked)
		})
})
