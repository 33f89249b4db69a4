package smoke_test

import (
	"context"
	"math"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	"github.com/gatomqtt/gatomqtt/peers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("the current target", func() {
	It("routes a message between two paho clients", func() {
		topic := client.Topic("paho")
		sub := harness.Paho()
		Expect(client.Wait(sub.Subscribe(topic, 1, nil), "subscribe")).To(Succeed())
		pub := harness.Paho()
		Expect(client.Wait(pub.Publish(topic, 1, false, "hello"), "publish")).To(Succeed())

		var m mqtt.Message
		Eventually(sub.Messages).WithTimeout(harness.Timeout).Should(Receive(&m))
		Expect(m.Topic()).To(Equal(topic))
		Expect(string(m.Payload())).To(Equal("hello"))
	})

	It("closes the connection on a second CONNECT", Label("MQTT-3.1.0-2"), func() {
		c := harness.RawSession(client.ConnectOptions{CleanSession: true})
		Expect(c.Send(client.ConnectOptions{ClientID: client.ClientID("again"), CleanSession: true}.Packet())).To(Succeed())
		Expect(c.ExpectClosed(harness.Timeout)).To(Succeed())
	})

	It("sends an unacknowledged QoS 1 message again, DUP set and same id, after a clean-session-0 reconnect",
		Label("MQTT-4.4.0-1", "MQTT-3.3.1-1"), func() {
			harness.Require(target.Needs{QoS: 1, PersistentSessions: true, Sessions: 2})
			topic := client.Topic("redelivery")
			id := client.ClientID("persist")

			sub := harness.RawSession(client.ConnectOptions{ClientID: id})
			ack, err := sub.Subscribe(1, 1, harness.Timeout, topic)
			Expect(err).NotTo(HaveOccurred())
			Expect(ack.ReturnCodes).To(Equal([]byte{1}))

			pub := harness.RawSession(client.ConnectOptions{CleanSession: true})
			Expect(pub.Publish(topic, []byte("once"), 1, false, 9)).To(Succeed())
			Expect(pub.ExpectPuback(9, harness.Timeout)).To(Succeed())

			first, err := sub.ExpectPublish(harness.Timeout)
			Expect(err).NotTo(HaveOccurred())
			Expect(first.Dup).To(BeFalse())
			Expect(sub.Close()).To(Succeed()) // PUBACK withheld

			again := harness.RawSession(client.ConnectOptions{ClientID: id})
			resent, err := again.ExpectPublish(harness.Timeout)
			Expect(err).NotTo(HaveOccurred())
			Expect(resent.Dup).To(BeTrue())
			Expect(resent.PacketID).To(Equal(first.PacketID))
			Expect(string(resent.Payload)).To(Equal("once"))
			Expect(again.Send(&packet.Puback{PacketID: resent.PacketID})).To(Succeed())
		})

	It("delivers to a paho client whose acknowledgements the spec sends", func() {
		harness.Require(target.Needs{QoS: 1})
		topic := client.Topic("manual")
		sub := harness.Paho(func(o *mqtt.ClientOptions) { o.SetAutoAckDisabled(true) })
		Expect(client.Wait(sub.Subscribe(topic, 1, nil), "subscribe")).To(Succeed())
		pub := harness.RawSession(client.ConnectOptions{CleanSession: true})
		Expect(pub.Publish(topic, []byte("m"), 1, false, 3)).To(Succeed())
		Expect(pub.ExpectPuback(3, harness.Timeout)).To(Succeed())
		var m mqtt.Message
		Eventually(sub.Messages).WithTimeout(harness.Timeout).Should(Receive(&m))
		m.Ack()
	})

	It("is skipped with the reason when the target lacks a capability", Label("MQTT-3.1.2-5"), func() {
		harness.Require(target.Needs{Sessions: math.MaxInt})
		Fail("Require let a spec needing more sessions than any target allows run")
	})

	It("reports statistics where the target has them", func() {
		st, ok := harness.Current().Stats()
		if !ok {
			Skip("target " + harness.Current().Name() + " reports no statistics")
		}
		harness.Paho()
		st, _ = harness.Current().Stats()
		Expect(st.Sessions).To(BeNumerically(">=", 1))
	})
})

var _ = Describe("a mosquitto peer", func() {
	It("serves as a tcp target", func() {
		m := peers.MosquittoFor(GinkgoT(), peers.MosquittoOptions{})
		t, err := target.Parse(m.Target())
		Expect(err).NotTo(HaveOccurred())
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		Expect(t.Start(ctx)).To(Succeed())
		DeferCleanup(t.Stop)
		Expect(t.Capabilities().Peer).To(Equal("mosquitto"))

		c, err := client.ConnectPaho(t, client.ClientID("mosq"))
		Expect(err).NotTo(HaveOccurred())
		defer c.Close()
		topic := client.Topic("mosq")
		Expect(client.Wait(c.Subscribe(topic, 0, nil), "subscribe")).To(Succeed())
		Expect(client.Wait(c.Publish(topic, 0, false, "loop"), "publish")).To(Succeed())
		Eventually(c.Messages).WithTimeout(harness.Timeout).Should(Receive())
	})
})
