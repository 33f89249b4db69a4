package qos1_test

import (
	"fmt"
	"time"

	"github.com/gatomqtt/gatomqtt/harness"
	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The soak sends enough QoS 1 messages that a line losing or corrupting
// one byte in a thousand (a board target with faults=) loses frames many
// times over; what reaches the subscriber must still be every message
// exactly once, in each publisher's order.
var _ = Describe("a soak of QoS 1 messages", Label("soak"), func() {
	const (
		publishers = 3
		each       = 700
		window     = 10 // PUBLISH packets a publisher has unacknowledged at once
	)

	It("delivers every message exactly once and in order per publisher",
		Label("MQTT-4.3.2-1", "MQTT-4.6.0-2", "MQTT-4.6.0-6"), SpecTimeout(120*time.Second), func(ctx SpecContext) {
			harness.Require(target.Needs{Sessions: publishers + 2, QoS: 1}) // and the fence's publisher
			topic := client.Topic("soak")
			sub := subscriber(1, topic)

			received := make(chan error, 1)
			counts := make([]int, publishers) // messages seen per publisher, also the next expected index
			go func() {
				defer GinkgoRecover()
				for n := 0; n < publishers*each; n++ {
					p, err := sub.ExpectPublish(harness.Timeout)
					if err != nil {
						received <- fmt.Errorf("after %d messages: %w", n, err)
						return
					}
					var from, i int
					if _, err := fmt.Sscanf(string(p.Payload), "p%d-%d", &from, &i); err != nil || from >= publishers {
						received <- fmt.Errorf("payload %q", p.Payload)
						return
					}
					if i != counts[from] {
						received <- fmt.Errorf("from publisher %d: message %d after %d (lost, repeated or out of order)", from, i, counts[from])
						return
					}
					counts[from]++
					if err := sub.Acknowledge(p); err != nil {
						received <- err
						return
					}
				}
				received <- nil
			}()

			pubs := make([]*client.RawClient, publishers)
			for k := range pubs {
				pubs[k] = session()
			}
			// Round robin over the publishers, each keeping a window of
			// messages in flight, so that the broker's rate limit per
			// session (boards) is shared out.
			for i := 0; i < each; i += window {
				for k, pub := range pubs {
					ids := make([]uint16, 0, window)
					for j := i; j < min(i+window, each); j++ {
						id := harness.PacketID()
						ids = append(ids, id)
						Expect(pub.Publish(topic, []byte(fmt.Sprintf("p%d-%d", k, j)), 1, false, id)).To(Succeed())
					}
					for _, id := range ids {
						Expect(pub.ExpectPuback(id, harness.Timeout)).To(Succeed(), "PUBACK from publisher %d at %d", k, i)
					}
				}
			}
			Eventually(received).WithTimeout(harness.Timeout).Should(Receive(BeNil()))
			Expect(counts).To(Equal([]int{each, each, each}))
			expectNothing(sub)
		})
})
