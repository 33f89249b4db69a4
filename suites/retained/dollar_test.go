package retained_test

import (
	"errors"
	"strings"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("Topics beginning with $", func() {
	It("are neither replayed nor forwarded to filters that begin with a wildcard", Label("MQTT-4.7.2-1", "MQTT-3.3.1-6"), func(ctx SpecContext) {
		harness.Require(target.Needs{Retain: true, Retained: 1, QoS: 1})
		base := client.Topic("dollar")       // gato/<run>/<process>/<n>/dollar
		topic := "$" + base + "/x"           // $gato/<run>/<process>/<n>/dollar/x
		_, rest, _ := strings.Cut(base, "/") // <run>/<process>/<n>/dollar
		r := newRetainer()
		r.publish(topic, "retained", 1, true)

		// The same filter level by level, except that the first is a
		// wildcard; "#" also sees every other retained message on the
		// target, so its deliveries are sifted by topic.
		plus := subscriber()
		replay(plus, 1, 1, 0, "+/"+rest+"/x", "+/"+rest+"/#")
		hash := subscriber()
		_, early := subscribe(hash, 1, 0, "#")
		Expect(drain(hash, early, topic)).To(BeEmpty())

		// Control: a filter that names the $ level gets the message, so
		// the target did take and retain it.
		control := subscriber()
		got := replay(control, 1, 1, 1, "$"+base+"/+")
		Expect(client.MessageOf(got[0])).To(Equal(client.Message{Topic: topic, Payload: "retained", QoS: 1, Retain: true}))
		Expect(control.Acknowledge(got[0])).To(Succeed())

		r.publish(topic, "live", 1, false)
		got, err := control.CollectPublishes(1, harness.Timeout)
		Expect(err).NotTo(HaveOccurred())
		Expect(client.MessageOf(got[0])).To(Equal(client.Message{Topic: topic, Payload: "live", QoS: 1, Retain: false}))
		Expect(plus.ExpectNothing(quiet)).To(Succeed())
		Expect(drain(hash, nil, topic)).To(BeEmpty())
	}, SpecTimeout(10*time.Second))
})

// drain reads c, subscribed at QoS 0, until it has been quiet for the
// quiet bound (or for at most a second, as a target shared with other
// runs may never fall quiet), and returns the deliveries, early ones
// included, whose topic is topic.
func drain(c *client.RawClient, early []*packet.Publish, topic string) []client.Message {
	GinkgoHelper()
	var hits []client.Message
	for _, p := range early {
		if string(p.Topic) == topic {
			hits = append(hits, client.MessageOf(p))
		}
	}
	for end := time.Now().Add(time.Second); time.Now().Before(end); {
		p, err := c.Read(quiet)
		if errors.Is(err, client.ErrTimeout) {
			return hits
		}
		Expect(err).NotTo(HaveOccurred())
		pub, ok := p.(*packet.Publish)
		Expect(ok).To(BeTrue(), "expected only PUBLISH, got %s", client.Describe(p))
		if string(pub.Topic) == topic {
			hits = append(hits, client.MessageOf(pub))
		}
	}
	return hits
}
