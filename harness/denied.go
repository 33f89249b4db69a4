package harness

import (
	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/onsi/ginkgo/v2"
)

// DeniedTopic returns a topic name below the target's denied prefix,
// unique to this call, run and parallel process like client.Topic:
// "<prefix>/<run>/<process>/<n>/<name>". Clients of the target may
// subscribe to it but their PUBLISH packets to it are denied. Call
// Require(Needs{DeniedTopic: true}) first; on a target without the
// capability DeniedTopic fails the spec.
func DeniedTopic(name string) string {
	ginkgo.GinkgoHelper()
	prefix := Current().Capabilities().DeniedTopic
	if prefix == "" {
		ginkgo.Fail("DeniedTopic: the target declares no denied topic prefix; Require(Needs{DeniedTopic: true}) first")
	}
	return client.TopicBelow(prefix, name)
}
