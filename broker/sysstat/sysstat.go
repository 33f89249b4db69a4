// Package sysstat publishes a broker's statistics under $SYS/broker/, as
// mosquitto does, so that any MQTT client allowed to read "$SYS/#" can
// watch the broker without another protocol.
//
// The messages are retained QoS 0 messages of the broker's in-process
// client, so a client subscribing gets the latest figures at once, and
// the broker's ACL decides, as for any message, who may subscribe and
// who gets each topic (a filter starting with a wildcard never matches
// "$SYS": reading it needs a grant of its own). They take one retained
// slot per topic (len(Topics)); on a broker whose retained store is full
// they are delivered but not retained.
//
// The topics and their meaning are mosquitto's (see mosquitto(8), "BROKER
// STATUS"), where the broker keeps the same figure:
//
//	$SYS/broker/version                   "gatomqtt version <module version>"
//	$SYS/broker/uptime                    "<n> seconds" since Run started
//	$SYS/broker/clients/connected         byte streams being served (Stats.Connections)
//	$SYS/broker/clients/total             sessions held, online and offline (Stats.Sessions)
//	$SYS/broker/clients/maximum           the most clients connected at an update
//	$SYS/broker/messages/stored           messages held: the store's and the retained ones
//	$SYS/broker/store/messages/count      the same, under mosquitto's newer name
//	$SYS/broker/retained messages/count   retained messages (Stats.Retained)
//	$SYS/broker/publish/messages/received PUBLISH accepted from clients (Stats.MessagesIn less these)
//	$SYS/broker/publish/messages/sent     deliveries (Stats.MessagesOut)
//	$SYS/broker/publish/messages/dropped  deliveries dropped, all reasons (Stats.Dropped)
//	$SYS/broker/bytes/received            bytes of the packets read (Stats.BytesIn)
//	$SYS/broker/bytes/sent                bytes of the packets written (Stats.BytesOut)
//
// Left out, as the broker does not keep them: clients/disconnected,
// clients/expired, messages/received and /sent (all packet types),
// store/messages/bytes, subscriptions/count, heap/*, load/* (moving
// averages) and the per-listener figures.
package sysstat

import (
	"context"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
)

// The topics Publisher publishes, in the order it publishes them.
const (
	TopicVersion          = "$SYS/broker/version"
	TopicUptime           = "$SYS/broker/uptime"
	TopicClientsConnected = "$SYS/broker/clients/connected"
	TopicClientsTotal     = "$SYS/broker/clients/total"
	TopicClientsMaximum   = "$SYS/broker/clients/maximum"
	TopicMessagesStored   = "$SYS/broker/messages/stored"
	TopicStoreCount       = "$SYS/broker/store/messages/count"
	TopicRetainedCount    = "$SYS/broker/retained messages/count"
	TopicPublishReceived  = "$SYS/broker/publish/messages/received"
	TopicPublishSent      = "$SYS/broker/publish/messages/sent"
	TopicPublishDropped   = "$SYS/broker/publish/messages/dropped"
	TopicBytesReceived    = "$SYS/broker/bytes/received"
	TopicBytesSent        = "$SYS/broker/bytes/sent"
)

// Topics lists every topic a Publisher publishes.
var Topics = []string{
	TopicVersion, TopicUptime,
	TopicClientsConnected, TopicClientsTotal, TopicClientsMaximum,
	TopicMessagesStored, TopicStoreCount, TopicRetainedCount,
	TopicPublishReceived, TopicPublishSent, TopicPublishDropped,
	TopicBytesReceived, TopicBytesSent,
}

// Version is the payload of $SYS/broker/version.
var Version = "gatomqtt version " + moduleVersion()

func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// A Publisher publishes the statistics of one broker. It keeps what the
// broker does not: when it started, the most clients seen connected, and
// how many messages it published itself, which it leaves out of
// publish/messages/received so that the figure is what clients sent.
type Publisher struct {
	b         *broker.Broker
	start     time.Time
	now       func() time.Time
	maxConns  int
	published uint64
	buf       []byte
}

// NewPublisher returns a Publisher for b whose uptime counts from now.
func NewPublisher(b *broker.Broker) *Publisher {
	return &Publisher{b: b, start: time.Now(), now: time.Now}
}

// Publish publishes b's statistics of this moment, as retained QoS 0
// messages. It stops at the first error of Broker.Publish, such as
// broker.ErrClosed, or broker.ErrTooLarge on a broker whose topics or
// payloads are too short for them.
func (p *Publisher) Publish() error {
	st := p.b.Stats()
	received := st.MessagesIn - min(p.published, st.MessagesIn)
	p.maxConns = max(p.maxConns, st.Connections)
	uptime := int64(p.now().Sub(p.start) / time.Second)
	for _, topic := range Topics {
		b := p.buf[:0]
		switch topic {
		case TopicVersion:
			b = append(b, Version...)
		case TopicUptime:
			b = append(strconv.AppendInt(b, uptime, 10), " seconds"...)
		case TopicClientsConnected:
			b = strconv.AppendInt(b, int64(st.Connections), 10)
		case TopicClientsTotal:
			b = strconv.AppendInt(b, int64(st.Sessions), 10)
		case TopicClientsMaximum:
			b = strconv.AppendInt(b, int64(p.maxConns), 10)
		case TopicMessagesStored, TopicStoreCount:
			b = strconv.AppendInt(b, int64(st.StoredMessages+st.Retained), 10)
		case TopicRetainedCount:
			b = strconv.AppendInt(b, int64(st.Retained), 10)
		case TopicPublishReceived:
			b = strconv.AppendUint(b, received, 10)
		case TopicPublishSent:
			b = strconv.AppendUint(b, st.MessagesOut, 10)
		case TopicPublishDropped:
			b = strconv.AppendUint(b, st.Dropped, 10)
		case TopicBytesReceived:
			b = strconv.AppendUint(b, st.BytesIn, 10)
		case TopicBytesSent:
			b = strconv.AppendUint(b, st.BytesOut, 10)
		}
		p.buf = b
		if err := p.b.Publish(topic, b, 0, true); err != nil {
			return err
		}
		p.published++
	}
	return nil
}

// Run publishes b's statistics at once and then every interval until ctx
// is done, and returns ctx.Err(); or the first error of Publish.
// interval must be positive.
func Run(ctx context.Context, b *broker.Broker, interval time.Duration) error {
	p := NewPublisher(b)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if err := p.Publish(); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
