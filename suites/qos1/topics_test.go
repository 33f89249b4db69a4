package qos1_test

import (
	"context"
	"strings"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"

	"github.com/gatomqtt/gatomqtt/harness"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("topic matching", func() {
	BeforeEach(func() {
		harness.Require(target.Needs{Sessions: 3, QoS: 1})
	})

	// Each entry subscribes to one filter and publishes to topics, all
	// below a prefix unique to the spec (so "+/x" is written "P/+/x" and
	// "/x" is "P//x"), and checks that exactly the topics expected to
	// match arrive, each on its own topic name (MQTT-3.3.2-3).
	DescribeTable("delivers exactly the topics the filter matches",
		func(ctx context.Context, filter string, match, noMatch []string) {
			base := client.Topic("m")
			sub := subscriber(1, base+"/"+filter)
			pub := session()
			for _, t := range append(append([]string(nil), match...), noMatch...) {
				publish(pub, base+"/"+t, t, 1)
			}
			got := receive(sub, len(match))
			Expect(payloads(got)).To(ConsistOf(match))
			for _, p := range got {
				Expect(string(p.Topic)).To(Equal(base+"/"+string(p.Payload)), "topic name of %s", client.Describe(p))
			}
		},
		Entry("multi-level wildcard matches the parent and every level below", Label("MQTT-3.3.2-3", "MQTT-4.7.1-2"), within,
			"sport/tennis/player1/#",
			[]string{"sport/tennis/player1", "sport/tennis/player1/ranking", "sport/tennis/player1/score/wimbledon", "sport/tennis/player1/"},
			[]string{"sport/tennis/player2", "sport/tennis", "sport/tennis/player10"}),
		Entry("'sport/#' matches 'sport'", Label("MQTT-3.3.2-3", "MQTT-4.7.1-2"), within,
			"sport/#",
			[]string{"sport", "sport/", "sport/a/b"},
			[]string{"sports", "spor", "Sport"}),
		Entry("single-level wildcard fills exactly one level, empty ones too", Label("MQTT-3.3.2-3", "MQTT-4.7.1-3"), within,
			"sport/tennis/+",
			[]string{"sport/tennis/player1", "sport/tennis/player2", "sport/tennis/"},
			[]string{"sport/tennis/player1/ranking", "sport/tennis", "sport/tennisx/a"}),
		Entry("'sport/+' does not match 'sport' but matches 'sport/'", Label("MQTT-3.3.2-3", "MQTT-4.7.1-3"), within,
			"sport/+",
			[]string{"sport/"},
			[]string{"sport"}),
		Entry("'+/b' matches x/b but not x/y/b", Label("MQTT-3.3.2-3", "MQTT-4.7.1-3"), within,
			"+/b",
			[]string{"x/b", "/b"},
			[]string{"x/y/b", "b", "x/bb"}),
		Entry("'+' in the middle", Label("MQTT-3.3.2-3", "MQTT-4.7.1-3"), within,
			"sport/+/player1",
			[]string{"sport/tennis/player1", "sport//player1"},
			[]string{"sport/tennis/player1/x", "sport/player1", "sport/a/b/player1"}),
		Entry("'+' and '#' together", Label("MQTT-3.3.2-3", "MQTT-4.7.1-2", "MQTT-4.7.1-3"), within,
			"+/tennis/#",
			[]string{"sport/tennis", "sport/tennis/player1", "/tennis/x/y"},
			[]string{"sport/tennisx", "sport/x/tennis"}),
		Entry("'+/+' and a leading empty level", Label("MQTT-3.3.2-3", "MQTT-4.7.1-3"), within,
			"+/+",
			[]string{"/finance", "a/b", "/"},
			[]string{"a", "a/b/c"}),
		Entry("'+' alone matches one level only", Label("MQTT-3.3.2-3", "MQTT-4.7.1-3"), within,
			"+",
			[]string{"finance", "x"},
			[]string{"/finance", "a/b"}),
		Entry("an exact filter matches only the identical name", Label("MQTT-3.3.2-3", "MQTT-4.7.3-4"), within,
			"a/b",
			[]string{"a/b"},
			[]string{"a/b/", "a/B", "A/b", "a//b", "a/b/c", "a"}),
	)

	It("compares names and filters exactly, without normalising Unicode or case",
		Label("MQTT-4.7.3-4", "MQTT-3.3.2-3"), within,
		func(ctx SpecContext) {
			base := client.Topic("u")
			precomposed := base + "/caf\u00e9"
			sub := subscriber(1, precomposed)
			pub := session()
			publish(pub, base+"/cafe\u0301", "decomposed", 1)
			publish(pub, base+"/CAF\u00c9", "upper", 1)
			publish(pub, precomposed, "same", 1)
			p := receiveOne(sub)
			Expect(string(p.Payload)).To(Equal("same"))
			Expect(p.Topic).To(Equal([]byte(precomposed)))
		})

	It("keeps U+FEFF (EF BB BF) in topic names as part of the name",
		Label("MQTT-1.5.3-3", "MQTT-4.7.3-4"), within,
		func(ctx SpecContext) {
			base := client.Topic("bom")
			withBOM := base + "/\ufeffx"
			sub := subscriber(1, withBOM, base+"/x")
			publish(session(), withBOM, "bom", 1)
			p := receiveOne(sub)
			Expect(p.Topic).To(Equal([]byte(withBOM)))
		})

	It("matches no topic starting with '$' against a filter starting with '#' or '+'",
		Label("MQTT-4.7.2-1"), within,
		func(ctx SpecContext) {
			harness.Require(target.Needs{Sessions: 5})
			// "$gato/<run>/...": a topic of the application's own below
			// "$", which the server lets clients publish to.
			topic := "$" + client.Topic("dollar")
			levels := strings.Split(topic, "/")
			// A filter whose first level is "$gato" itself matches, even
			// with wildcards further on.
			control := subscriber(0, levels[0]+"/+/"+strings.Join(levels[2:], "/"))
			all := subscriber(0, "#")
			plus := subscriber(0, "+/"+strings.Join(levels[1:], "/"))

			publish(session(), topic, "$", 1)
			p := receiveOne(control)
			Expect(string(p.Topic)).To(Equal(topic))
			// "#" also sees what other specs publish meanwhile; only this
			// topic matters.
			expectNoPublishOn(all, topic)
			expectNothing(plus)
		})
})
