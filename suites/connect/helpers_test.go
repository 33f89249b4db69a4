package connect_test

import (
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

const (
	// closeWithin bounds how long a server may take to close a connection
	// after the packet that obliges it to. Servers close at once; the
	// margin is for a loaded machine running suites in parallel.
	closeWithin = 3 * time.Second
	// quiet is how long a spec watches for something that must not arrive.
	quiet = 300 * time.Millisecond
	// specTimeout bounds every spec that does not wait for a timer.
	specTimeout = 10 * time.Second
)

// Connect flag bits (MQTT 3.1.1 section 3.1.2.3), spelled out here so that
// specs can set them in combinations the codec refuses to encode.
const (
	flagReserved = 0x01
	flagClean    = 0x02
	flagWill     = 0x04
	flagWillQoS1 = 0x08
	flagWillQoS2 = 0x10
	flagRetain   = 0x20
	flagPassword = 0x40
	flagUsername = 0x80
)

// subscriber returns a clean-session raw client subscribed to topic at
// qos, with the SUBACK granting it.
func subscriber(topic string, qos packet.QoS) *client.RawClient {
	GinkgoHelper()
	c := harness.RawSession(client.ConnectOptions{CleanSession: true, KeepAlive: 60})
	ack, err := c.Subscribe(1, qos, harness.Timeout, topic)
	Expect(err).NotTo(HaveOccurred())
	Expect(ack.ReturnCodes).To(Equal([]byte{byte(qos)}), "SUBACK for %q at QoS %d", topic, qos)
	return c
}

// expectPublish reads the next packet, which must be a PUBLISH of payload
// on topic.
func expectPublish(c *client.RawClient, topic, payload string) *packet.Publish {
	GinkgoHelper()
	p, err := c.ExpectPublish(harness.Timeout)
	Expect(err).NotTo(HaveOccurred())
	Expect(string(p.Topic)).To(Equal(topic), "topic of %s", client.Describe(p))
	Expect(string(p.Payload)).To(Equal(payload), "payload of %s", client.Describe(p))
	return p
}

// publishQoS1 publishes a QoS 1 message from a fresh clean-session client
// and waits for its PUBACK, which proves the server has taken the message
// and routed it.
func publishQoS1(topic, payload string) {
	GinkgoHelper()
	p := harness.RawSession(client.ConnectOptions{CleanSession: true, KeepAlive: 60})
	Expect(p.Publish(topic, []byte(payload), 1, false, 1)).To(Succeed())
	Expect(p.ExpectPuback(1, harness.Timeout)).To(Succeed())
	Expect(p.Disconnect()).To(Succeed())
}

// expectNothingBefore publishes a QoS 1 marker to topic from a fresh
// client and expects it to be the next packet sub receives. Called once
// the server has shown it is done with a packet it must not act on (it
// closed that packet's connection), it proves that packet delivered
// nothing to sub without waiting out a quiet period: a delivery would
// have been routed before the marker and arrived first.
func expectNothingBefore(sub *client.RawClient, topic, what string) {
	GinkgoHelper()
	publishQoS1(topic, "marker")
	p, err := sub.ExpectPublish(harness.Timeout)
	Expect(err).NotTo(HaveOccurred(), "the marker PUBLISH")
	Expect(string(p.Payload)).To(Equal("marker"), "%s: got %s before the marker", what, client.Describe(p))
	Expect(string(p.Topic)).To(Equal(topic), "the marker PUBLISH")
}

// A handConnect is a CONNECT spelled out field by field, for the CONNECTs
// the codec refuses to encode: every byte goes out as given, nothing is
// checked, and the flags need not agree with the fields present.
type handConnect struct {
	headerFlags byte   // low nibble of the fixed header; 0 in a valid CONNECT
	name        string // protocol name
	level       byte   // protocol level
	flags       byte   // connect flags, exactly as sent
	keepAlive   uint16
	clientID    []byte
	noClientID  bool     // leave the client identifier out of the payload
	will        [][]byte // will topic and will message, as many as given
	user        [][]byte // user name and password, as many as given
}

// validConnect returns a well-formed clean-session CONNECT for a unique
// client identifier, carrying the target's credentials, for a spec to
// spoil in one respect.
func validConnect() handConnect {
	h := handConnect{name: "MQTT", level: 4, flags: flagClean, keepAlive: 60, clientID: []byte(client.ClientID("hand"))}
	if cr := harness.Current().Capabilities().Credentials; cr != nil {
		h.flags |= flagUsername | flagPassword
		h.user = [][]byte{[]byte(cr.Name), []byte(cr.Password)}
	}
	return h
}

// bytes encodes the CONNECT.
func (h handConnect) bytes() []byte {
	body := packet.AppendString(nil, h.name)
	body = append(body, h.level, h.flags)
	body = packet.AppendUint16(body, h.keepAlive)
	if !h.noClientID {
		body = packet.AppendBytes(body, h.clientID)
	}
	for _, f := range append(h.will, h.user...) {
		body = packet.AppendBytes(body, f)
	}
	return append(packet.AppendHeader(nil, packet.CONNECT, h.headerFlags, len(body)), body...)
}

// sendHand dials the target and writes h.
func sendHand(h handConnect) *client.RawClient {
	GinkgoHelper()
	c := harness.Raw()
	Expect(c.SendBytes(h.bytes())).To(Succeed())
	return c
}

// frame encodes p for specs that write several packets in one go.
func frame(p packet.Packet) []byte {
	GinkgoHelper()
	b, err := p.Append(nil)
	Expect(err).NotTo(HaveOccurred())
	return b
}

// expectRefusedThenClosed reads a CONNACK that must carry code and the
// acknowledge flags 0 (MQTT-3.2.2-4), byte for byte, and then expects the
// server to close the connection (MQTT-3.2.2-5).
func expectRefusedThenClosed(c *client.RawClient, code packet.ConnackCode) {
	GinkgoHelper()
	b, err := c.ReadRaw(harness.Timeout)
	Expect(err).NotTo(HaveOccurred(), "expected CONNACK with return code %d", code)
	Expect(b).To(Equal([]byte{0x20, 0x02, 0x00, byte(code)}),
		"expected CONNACK with session present 0 and return code %d", code)
	Expect(c.ExpectClosed(closeWithin)).To(Succeed(), "after CONNACK %d", code)
}
