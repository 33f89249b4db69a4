package retained_test

import (
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// quiet bounds the waits for "nothing more arrives": long enough for a
// loopback broker to have sent anything it was going to, short enough to
// keep the suite fast.
const quiet = 250 * time.Millisecond

// A retainer publishes on its own connection. The harness deletes the
// retained messages a raw client left when the spec ends, so specs leave a
// target's retained store as they found it.
type retainer struct {
	c  *client.RawClient
	id uint16
}

func newRetainer() *retainer {
	GinkgoHelper()
	return &retainer{c: harness.RawSession(client.ConnectOptions{CleanSession: true})}
}

// publish sends a message and waits for the handshake proving the server
// took it (PINGRESP after a QoS 0 message).
func (r *retainer) publish(topic, payload string, qos packet.QoS, retain bool) {
	GinkgoHelper()
	r.id++
	Expect(r.c.PublishWait(topic, []byte(payload), qos, retain, r.id, harness.Timeout)).To(Succeed())
}

// subscriber returns a new clean session.
func subscriber() *client.RawClient {
	GinkgoHelper()
	return harness.RawSession(client.ConnectOptions{CleanSession: true})
}

// subscribe subscribes c to filters at qos, expects every filter granted
// (at qos or, as MQTT 3.9.3 allows, lower) and returns the granted QoS of
// the first filter and any PUBLISH that came before the SUBACK.
func subscribe(c *client.RawClient, id uint16, qos packet.QoS, filters ...string) (packet.QoS, []*packet.Publish) {
	GinkgoHelper()
	ack, early, err := c.SubscribeCollect(id, qos, harness.Timeout, filters...)
	Expect(err).NotTo(HaveOccurred())
	Expect(ack.ReturnCodes).To(HaveLen(len(filters)))
	for _, code := range ack.ReturnCodes {
		Expect(code).To(BeNumerically("<=", qos), "SUBACK codes %v for filters %q at QoS %d", ack.ReturnCodes, filters, qos)
	}
	return packet.QoS(ack.ReturnCodes[0]), early
}

// replay subscribes c to filters at qos and returns the n retained
// messages it then receives, failing if any more arrive within quiet.
func replay(c *client.RawClient, id uint16, qos packet.QoS, n int, filters ...string) []*packet.Publish {
	GinkgoHelper()
	_, got := subscribe(c, id, qos, filters...)
	if len(got) < n {
		more, err := c.CollectPublishes(n-len(got), harness.Timeout)
		got = append(got, more...)
		Expect(err).NotTo(HaveOccurred(), "received so far: %v", client.MessagesOf(got))
	}
	Expect(client.MessagesOf(got)).To(HaveLen(n))
	Expect(c.ExpectNothing(quiet)).To(Succeed())
	return got
}
