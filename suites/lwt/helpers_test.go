package lwt_test

import (
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// quiet bounds the waits for "no will arrives": long enough for a loopback
// broker to have published a will it was going to, short enough to keep
// the suite fast.
const quiet = 300 * time.Millisecond

// watch returns a clean session subscribed to filter at qos, expecting the
// subscription granted at exactly qos (the specs compare delivery QoS).
func watch(filter string, qos packet.QoS) *client.RawClient {
	GinkgoHelper()
	c := harness.RawSession(client.ConnectOptions{CleanSession: true})
	ack, err := c.Subscribe(1, qos, harness.Timeout, filter)
	Expect(err).NotTo(HaveOccurred())
	Expect(ack.ReturnCodes).To(Equal([]byte{byte(qos)}), "SUBACK for %q at QoS %d", filter, qos)
	return c
}

// willOptions returns the CONNECT options of a clean session with a will.
func willOptions(id string, w client.Will) client.ConnectOptions {
	return client.ConnectOptions{ClientID: id, CleanSession: true, Will: &w}
}

// expectWill reads the next packet on watcher, which must be the will.
func expectWill(watcher *client.RawClient, want client.Message) {
	GinkgoHelper()
	p, err := watcher.ExpectPublish(harness.Timeout)
	Expect(err).NotTo(HaveOccurred())
	Expect(client.MessageOf(p)).To(Equal(want))
	Expect(watcher.Acknowledge(p)).To(Succeed())
}

// disconnect sends DISCONNECT and waits for the server to close the
// connection, which proves the DISCONNECT was handled before anything the
// spec does next. The server SHOULD close it (MQTT 3.14.4); a target that
// does not leaves the spec unable to order its next step, so it skips.
func disconnect(c *client.RawClient) {
	GinkgoHelper()
	Expect(c.Send(&packet.Disconnect{})).To(Succeed())
	if err := c.ExpectClosed(harness.Timeout); err != nil {
		Skip("the target did not close the connection after DISCONNECT, which it should (MQTT 3.14.4): " + err.Error())
	}
}
