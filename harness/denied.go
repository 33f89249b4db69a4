package harness

import (
	"fmt"
	"strings"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/onsi/ginkgo/v2"
)

// InprocDeniedTopic is the topic prefix below which the inproc target lets
// clients subscribe but not publish (Capabilities.DeniedTopic), so that
// authorization specs run against the default target. It lies outside
// "gato/", where every other topic of the harness is.
const InprocDeniedTopic = "gatodenied"

// DeniedTopic returns a topic name below the target's denied prefix,
// unique to this call, run and parallel process like Topic:
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
	n := nameCounter.Add(1)
	return fmt.Sprintf("%s/%s/%d/%d/%s", prefix, RunID, ginkgo.GinkgoParallelProcess(), n, name)
}

// checkDeniedPrefix checks the value of a denied topic prefix option: a
// topic name without wildcards or a trailing '/'.
func checkDeniedPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if err := packet.ValidTopicName([]byte(prefix)); err != nil || strings.HasSuffix(prefix, "/") {
		return fmt.Errorf("option denied=%q: want a topic prefix such as gatodenied (no wildcards, no trailing /)", prefix)
	}
	return nil
}

// denyWritesBelow returns an Authorizer that lets every user subscribe
// everywhere and publish everywhere except at prefix and below it.
func denyWritesBelow(prefix string) broker.Authorizer {
	return func(_, topic []byte, write bool) bool {
		return !write || !below(topic, prefix)
	}
}

// below reports whether topic is prefix or a topic under it.
func below(topic []byte, prefix string) bool {
	return len(topic) >= len(prefix) && string(topic[:len(prefix)]) == prefix &&
		(len(topic) == len(prefix) || topic[len(prefix)] == '/')
}

// withoutDenied returns topics without those below the denied prefix.
func withoutDenied(topics []string, prefix string) []string {
	if prefix == "" {
		return topics
	}
	var kept []string
	for _, t := range topics {
		if !below([]byte(t), prefix) {
			kept = append(kept, t)
		}
	}
	return kept
}
