package load

import (
	"errors"
	"fmt"
	"time"
)

// Config describes one load run. The zero values of the optional fields
// select the defaults named beside them.
type Config struct {
	Addr        string // broker TCP address, host:port
	Label       string // names the broker in reports, such as "mosquitto"
	Publishers  int    // publishing connections, at least 1
	Subscribers int    // subscribing connections, at least 1
	QoS         int    // 0 or 1, for publishing and subscribing alike
	PayloadSize int    // bytes per message, at least StampSize; default 64

	// A run publishes Count messages per publisher when Count > 0, and
	// otherwise publishes for Duration.
	Count    int
	Duration time.Duration

	Rate   int    // messages per second per publisher; 0: as fast as the broker takes them
	Window int    // QoS 1 messages in flight per publisher; default 64
	Topic  string // default "gatomqtt-load/run"

	// Drain bounds how long a run waits, once publishing has ended, for
	// deliveries still on their way and for outstanding PUBACKs, measured
	// from the last progress seen. Default 2 s.
	Drain time.Duration

	// Stall fails a run in which no message is written, acknowledged or
	// received for this long, and bounds the wait for CONNACK and SUBACK.
	// It is longer than Drain because a saturated broker may hold the
	// publishers' writes for a while and still be working. Default 10 s.
	Stall time.Duration

	// Name, when set, replaces Scenario() in reports.
	Name string

	// PID, when positive, is the broker's process: its memory is read from
	// /proc before and after the run.
	PID int

	// Dial, when set, opens the connections of Run's publishers and
	// subscribers instead of a TCP dial to Addr: PSKDial's, for instance,
	// runs them over TLS-PSK. The scenarios' other clients dial TCP.
	Dial DialFunc `json:"-"`
}

// Defaults.
const (
	DefaultPayloadSize = 64
	DefaultWindow      = 64
	DefaultTopic       = "gatomqtt-load/run"
	DefaultDrain       = 2 * time.Second
	DefaultStall       = 10 * time.Second
)

// withDefaults returns c with its defaults filled in, or an error naming
// the first invalid field.
func (c Config) withDefaults() (Config, error) {
	if c.PayloadSize == 0 {
		c.PayloadSize = DefaultPayloadSize
	}
	if c.Window == 0 {
		c.Window = DefaultWindow
	}
	if c.Topic == "" {
		c.Topic = DefaultTopic
	}
	if c.Drain == 0 {
		c.Drain = DefaultDrain
	}
	if c.Stall == 0 {
		c.Stall = DefaultStall
	}
	switch {
	case c.Addr == "":
		return c, errors.New("load: no broker address")
	case c.Publishers < 1:
		return c, fmt.Errorf("load: %d publishers, want at least 1", c.Publishers)
	case c.Subscribers < 1:
		return c, fmt.Errorf("load: %d subscribers, want at least 1", c.Subscribers)
	case c.QoS != 0 && c.QoS != 1:
		return c, fmt.Errorf("load: QoS %d, want 0 or 1", c.QoS)
	case c.PayloadSize < StampSize:
		return c, fmt.Errorf("load: payload of %d bytes, want at least %d for the send stamp", c.PayloadSize, StampSize)
	case c.PayloadSize > 1<<20:
		return c, fmt.Errorf("load: payload of %d bytes, want at most 1 MiB", c.PayloadSize)
	case c.Count < 0 || c.Duration < 0 || c.Rate < 0 || c.Drain < 0 || c.Stall < 0:
		return c, errors.New("load: negative count, duration, rate, drain or stall time")
	case c.Count == 0 && c.Duration == 0:
		return c, errors.New("load: neither a message count nor a duration")
	case c.Window < 1 || c.Window > 65535:
		return c, fmt.Errorf("load: window of %d, want 1 to 65535 (the packet identifiers)", c.Window)
	}
	return c, nil
}

// Scenario names the shape of the load, without the broker: for instance
// "4p-1s-q0-64B", or "1p-4s-q1-64B-1000/s" with a rate; Name overrides it.
func (c Config) Scenario() string {
	if c.Name != "" {
		return c.Name
	}
	s := fmt.Sprintf("%dp-%ds-q%d-%dB", c.Publishers, c.Subscribers, c.QoS, c.PayloadSize)
	if c.Rate > 0 {
		s += fmt.Sprintf("-%d/s", c.Rate)
	}
	return s
}
