package inproc

import (
	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

// DeniedTopic is the topic prefix below which the inproc target lets
// clients subscribe but not publish (target.Capabilities.DeniedTopic), so
// that authorization specs run against the default target. It lies outside
// "gato/", where every other topic of the harness is.
const DeniedTopic = "gatodenied"

// denyWritesBelow returns an Authorizer that lets every user subscribe
// everywhere and publish everywhere except at prefix and below it.
func denyWritesBelow(prefix string) broker.Authorizer {
	return func(_, topic []byte, write bool) bool {
		return !write || !target.Below(topic, prefix)
	}
}
