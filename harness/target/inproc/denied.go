package inproc

import (
	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

// denyWritesBelow returns an Authorizer that lets every user subscribe
// everywhere and publish everywhere except at prefix and below it.
func denyWritesBelow(prefix string) broker.Authorizer {
	return func(_, topic []byte, write bool) bool {
		return !write || !target.Below(topic, prefix)
	}
}
