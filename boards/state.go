package boards

import "github.com/gatomqtt/gatomqtt/broker"

// brokerStateBytes builds a broker with lim to read its StateBytes, the
// one place that figure is computed.
func brokerStateBytes(lim broker.Limits) int {
	b, err := broker.New(broker.Config{Limits: lim})
	if err != nil {
		return 0
	}
	defer b.Close()
	return b.Stats().StateBytes
}
