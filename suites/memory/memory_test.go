package memory_test

import (
	"fmt"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

const (
	warmUp     = 200  // messages routed before the first measurement
	scenario   = 2000 // messages routed between the two measurements
	batch      = 40   // messages in flight at once
	publishers = 4    // sharing the load, as boards rate-limit each session
)

// stats reads the current target's figures.
func stats() target.Stats {
	GinkgoHelper()
	s, ok := harness.Current().Stats()
	Expect(ok).To(BeTrue(), "the target declares memory statistics but reported none")
	return s
}

// route publishes n QoS 1 messages from pub to topic and reads them on
// sub (subscribed at QoS 0, so that the subscriber's side needs no
// acknowledgements), batch by batch. The subscriber reads while the
// publisher sends, as a live client does: a board's small stream buffers
// would otherwise hold the publisher back as a slow consumer.
func route(pubs []*client.RawClient, sub *client.RawClient, topic string, n int) {
	GinkgoHelper()
	for sent := 0; sent < n; {
		pub := pubs[(sent/batch)%len(pubs)]
		k := min(batch, n-sent)
		delivered := make(chan error, 1)
		go func() {
			got, err := sub.CollectPublishes(k, harness.Timeout)
			if err == nil && len(got) != k {
				err = fmt.Errorf("%d of %d messages", len(got), k)
			}
			delivered <- err
		}()
		for i := range k {
			Expect(pub.Publish(topic, []byte(fmt.Sprintf("m%05d", sent+i)), 1, false, harness.PacketID())).To(Succeed())
		}
		for range k {
			_, err := pub.Expect(packet.PUBACK, harness.Timeout)
			Expect(err).NotTo(HaveOccurred(), "PUBACK after %d messages", sent)
		}
		Expect(<-delivered).To(Succeed(), "delivery after %d messages", sent)
		sent += k
	}
}

// clients connects the publishers and a subscriber to a fresh topic.
func clients() (pubs []*client.RawClient, sub *client.RawClient, topic string) {
	GinkgoHelper()
	topic = client.Topic("memory")
	sub = harness.RawSession(client.ConnectOptions{CleanSession: true})
	_, err := sub.Subscribe(1, 0, harness.Timeout, topic)
	Expect(err).NotTo(HaveOccurred())
	for range publishers {
		pubs = append(pubs, harness.RawSession(client.ConnectOptions{CleanSession: true}))
	}
	return pubs, sub, topic
}

var _ = Describe("memory", Label("memory"), func() {
	BeforeEach(func() { harness.Require(target.Needs{MemoryStats: true, Sessions: publishers + 1, QoS: 1}) })

	It("keeps the broker's fixed state within the figure its limits give", SpecTimeout(30*time.Second), func(ctx SpecContext) {
		s := stats()
		harness.Figure("broker state bytes", s.BrokerBytes)
		ceiling := harness.Current().Capabilities().Memory.StateBytes
		if ceiling == 0 {
			Skip("the target declares no ceiling for its broker state")
		}
		harness.Figure("broker state ceiling", ceiling)
		Expect(s.BrokerBytes).To(BeNumerically(">", 0), "a broker has tables")
		Expect(s.BrokerBytes).To(BeNumerically("<=", ceiling))
	})

	It("keeps the heap at rest within its ceiling", SpecTimeout(60*time.Second), func(ctx SpecContext) {
		pubs, sub, topic := clients()
		route(pubs, sub, topic, warmUp)
		// The sessions idle, then gone: what an idle session holds on the
		// heap, goroutine stacks included where the runtime allocates
		// them there (TinyGo).
		idle := stats()
		for _, c := range append(pubs, sub) {
			Expect(c.Disconnect()).To(Succeed())
		}
		// At rest: the broker has let every connection of this spec go.
		var s target.Stats
		Eventually(func() int {
			s = stats()
			return int(s.Extra["connections"])
		}).WithTimeout(harness.Timeout).Should(BeZero(), "connections left open")
		harness.Figure("heap in use at rest", s.HeapInUse)
		harness.Figure(fmt.Sprintf("heap in use with %d sessions idle", publishers+1), idle.HeapInUse)
		ceiling := harness.Current().Capabilities().Memory.HeapAfterBoot
		if ceiling == 0 {
			Skip("the target declares no ceiling for its heap")
		}
		harness.Figure("heap ceiling", ceiling)
		Expect(s.HeapInUse).To(BeNumerically("<=", ceiling))
	})

	It("allocates nothing per routed message after warm-up", SpecTimeout(120*time.Second), func(ctx SpecContext) {
		pubs, sub, topic := clients()
		route(pubs, sub, topic, warmUp)
		before := stats()
		if _, ok := before.Extra["mallocs"]; !ok {
			Skip("the target reports no allocation count of its own (inproc shares its runtime with the test)")
		}
		route(pubs, sub, topic, scenario)
		after := stats()
		allocs := after.Extra["mallocs"] - before.Extra["mallocs"]
		growth := int64(after.HeapInUse) - int64(before.HeapInUse)
		harness.Figure("allocations per routed message", fmt.Sprintf("%.3f", float64(allocs)/scenario))
		harness.Figure(fmt.Sprintf("heap growth over %d messages", scenario), growth)
		// A runtime allocates now and then on its own (timers, the
		// scheduler); an allocation per message would be thousands.
		ceiling := harness.Current().Capabilities().Memory.AllocsPerMessage
		Expect(allocs).To(BeNumerically("<", int64(ceiling)*scenario+scenario/20),
			"%d allocations over %d routed messages", allocs, scenario)
		slack := int64(harness.Current().Capabilities().Memory.HeapGrowth)
		Expect(growth).To(BeNumerically("<=", slack), "heap grew by %d bytes over %d messages", growth, scenario)
	})
})
