package target

import (
	"fmt"
	"strings"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// CheckDeniedPrefix checks the value of a denied topic prefix option
// (Capabilities.DeniedTopic): a topic name without wildcards or a trailing
// '/'. The empty prefix, declaring none, is valid.
func CheckDeniedPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if err := packet.ValidTopicName([]byte(prefix)); err != nil || strings.HasSuffix(prefix, "/") {
		return fmt.Errorf("option denied=%q: want a topic prefix such as gatodenied (no wildcards, no trailing /)", prefix)
	}
	return nil
}

// Below reports whether topic is prefix or a topic under it.
func Below(topic []byte, prefix string) bool {
	return len(topic) >= len(prefix) && string(topic[:len(prefix)]) == prefix &&
		(len(topic) == len(prefix) || topic[len(prefix)] == '/')
}
