package broker

import (
	"errors"
	"strconv"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// Limits fixes every capacity of a Broker. New sizes all tables from them,
// so a Broker never grows while it runs; StateBytes in Stats reports the
// heap the tables take.
type Limits struct {
	// MaxSessions bounds the sessions held at once, online and offline
	// persistent ones together. A CONNECT that would need one more is
	// refused with CONNACK 3.
	MaxSessions int
	// MaxConnections bounds the byte streams served at once, counting those
	// that have not sent CONNECT yet. Each one owns a read buffer and two
	// outbox buffers. 0 means MaxSessions + MaxSessions/4 + 2, enough for
	// takeovers and for answering surplus clients with CONNACK 3.
	MaxConnections int
	// MaxPending bounds the streams that have not had their CONNECT
	// accepted yet, TLS handshakes included: when one more arrives, the
	// oldest of them is closed (ErrPendingEvicted) to make room, and so is
	// the oldest when no slot is free at all, so that silent or slow
	// streams cannot keep clients out, only delay each other. 0 means
	// MaxConnections − MaxSessions, but at least half of MaxConnections
	// (rounded up): a pending stream is closed only for newer ones, so
	// the budget is also how many streams may arrive while a client's
	// CONNECT is on its way.
	MaxPending int
	// MaxPendingPerSource bounds the pending streams of one source
	// address (see ServeConnFrom) in the same way: the oldest pending
	// stream of that source is closed for a new one, once it has been
	// pending for a second; streams younger than that are bounded by
	// MaxPending only, so that clients behind one address may connect
	// at the same moment. Streams without a source are bounded by
	// MaxPending only. 0 means 8, or MaxPending if smaller.
	MaxPendingPerSource int
	// MaxSubscriptions bounds the topic filters of one session. A
	// SUBSCRIBE may carry any number of filters that fits in
	// MaxPacketSize: the SUBACK grants those there is room for and answers
	// the rest with the failure code 0x80. The filters are read where
	// they lie in the connection's read buffer, so the packet needs no
	// memory of its own, but each granted filter is copied into a
	// subscription slot: New sets aside MaxSubscriptions slots of
	// MaxTopicLength bytes for every session and for the in-process
	// client, used or not.
	MaxSubscriptions int
	// MaxInflight bounds the outgoing QoS 1 and 2 messages of one session
	// that wait for their acknowledgement, and the incoming QoS 2 packet
	// identifiers that wait for PUBREL.
	MaxInflight int
	// MaxQueued bounds the QoS 1 and 2 messages of one session waiting for
	// a free in-flight slot or for the outbox to drain, and those kept for
	// an offline persistent session.
	MaxQueued int
	// MaxMessages bounds the message bodies stored broker-wide for
	// in-flight and queued deliveries; a message fanned out to several
	// sessions is stored once. 0 means MaxSessions × (MaxInflight +
	// MaxQueued), so that no session ever lacks room within its own bounds.
	MaxMessages int
	// MaxOfflineMessages bounds the deliveries queued or in flight for
	// offline persistent sessions, all of them together, so that sessions
	// nobody reads from cannot take the message store from those that are
	// online: a message beyond it is dropped for the offline session
	// (DropOfflineQueueFull) and kept for the online ones. 0 means half of
	// MaxMessages.
	MaxOfflineMessages int
	// EvictOfflineSessions lets a CONNECT that needs a new session when
	// MaxSessions are held take the place of the offline persistent
	// session that has been offline longest, whose queued messages are
	// dropped (DropSessionEnded). Without it such a CONNECT is refused
	// with CONNACK 3, and clients that connect once with clean session 0
	// and leave can fill the table for good.
	EvictOfflineSessions bool
	// SessionExpiry, when not 0, ends a persistent session that has been
	// offline that long, as mosquitto's persistent_client_expiration
	// does; its queued messages are dropped (DropSessionEnded). MQTT 3.1.1
	// keeps sessions forever, which is what 0 means.
	SessionExpiry time.Duration
	// MaxRetained bounds the retained messages.
	MaxRetained int
	// MaxTopicLength bounds topic names and filters, in bytes.
	MaxTopicLength int
	// MaxTopicLevels bounds the levels of a SUBSCRIBE filter ("a/+/#"
	// has three): a deeper one gets the SUBACK failure code 0x80 (MQTT
	// 3.1.1 lets a server refuse any subscription, MQTT-3.9.3-2) and is
	// counted in Stats.SubscriptionsRefused. It also sizes the stack
	// routing walks the subscription tree with. Topic names are not bound
	// by it: a deeper PUBLISH is routed as any other, to "#" and the
	// filters ending in "/#" above its depth. 0 means 32.
	MaxTopicLevels int
	// SubscriptionNodes is the number of subscription tree nodes New sets
	// aside for every subscription slot, of every session and of the
	// in-process client; 0 means min(MaxTopicLevels, 4). Filters with
	// wildcards are kept in a tree of their levels, so that routing a
	// message visits only the subscriptions that match its topic, not all
	// of them. A filter takes a node per level, but none for a trailing
	// "#" and none for the leading levels it shares with a filter already
	// subscribed, by any session; filters without wildcards take none. So
	// every session can fill its MaxSubscriptions slots with wildcard
	// filters of SubscriptionNodes levels ("home/+/temperature" takes 3,
	// "sensors/#" 1) even if no two share a level, and deeper ones while
	// nodes are left. A filter for which too few nodes are free gets the
	// SUBACK code 0x80 and is counted in Stats.SubscriptionsRefused. A
	// node takes 16 bytes and half a 4-byte hash bucket.
	SubscriptionNodes int
	// MaxPayloadSize bounds PUBLISH and will payloads, in bytes.
	MaxPayloadSize int
	// MaxPacketSize bounds every incoming packet, fixed header included,
	// and is the size of each connection's read buffer.
	MaxPacketSize int
	// MaxClientIDLength bounds client identifiers; longer ones are refused
	// with CONNACK 2. The standard requires at least 23.
	MaxClientIDLength int
	// OutboxBytes is the size of each of the two buffers of encoded packets
	// that a connection writes to the network; it must hold the largest
	// PUBLISH the limits allow and the SUBACK to the SUBSCRIBE with the
	// most filters that fits in MaxPacketSize (a quarter of it, about). 0
	// means the largest of those two sizes and 4 KiB.
	OutboxBytes int
	// MinKeepAlive and MaxKeepAlive bound the keep alive a client may ask
	// for, in seconds; a CONNECT outside them is refused with CONNACK 3.
	// MaxKeepAlive 0 means any value, including 0 (no keep alive).
	MinKeepAlive, MaxKeepAlive uint16
	// ConnectTimeout bounds the wait for the first packet; 0 means 10 s.
	ConnectTimeout time.Duration
	// SlowConsumerWait bounds how long one subscriber whose queue is three
	// quarters full may hold back a publisher whose message it just
	// received; after that the subscriber is no longer waited for, and
	// loses messages once its queue is full, until it has caught up to
	// half. 0 means 1 s.
	SlowConsumerWait time.Duration
	// PublishRate and PublishBurst shape the PUBLISH packets a session may
	// send: a token bucket refilled at PublishRate per second holding at
	// most PublishBurst tokens (0: PublishRate). PublishRate 0 means no
	// limit.
	PublishRate, PublishBurst int
}

// HostLimits are the limits of a broker on a workstation or server.
// The tables take 40 MiB (Stats.StateBytes: 41 453 585 bytes on amd64),
// most of it the message store; pages never touched stay unmapped on most
// systems.
var HostLimits = Limits{
	MaxSessions:          256,
	MaxSubscriptions:     32,
	MaxInflight:          32,
	MaxQueued:            1024,
	MaxMessages:          4096,
	MaxRetained:          1024,
	MaxTopicLength:       256,
	MaxTopicLevels:       32,
	SubscriptionNodes:    4,
	MaxPayloadSize:       4096,
	MaxPacketSize:        4096 + 256 + 16,
	MaxClientIDLength:    128,
	OutboxBytes:          16 << 10,
	ConnectTimeout:       10 * time.Second,
	EvictOfflineSessions: true,
}

// PicoLimits fit a Raspberry Pi Pico (RP2040, 264 KiB SRAM) with half of
// it left free: the firmware (boards/pico) also spends two 4 KiB goroutine
// stacks per connection and the serial link's buffers, and the board
// profile's ceiling holds the sum to 132 KiB; cmd/gatomqtt-firmware
// reports the figures of each build. Filters are bound to 16 levels (the
// conformance harness spends four on its own namespace), and the
// subscription tree holds every slot's wildcard filter of 3 levels
// ("home/+/temperature"), deeper ones as far as nodes are left.
var PicoLimits = Limits{
	MaxSessions:          5,
	MaxConnections:       6,
	MaxSubscriptions:     8,
	MaxInflight:          4,
	MaxQueued:            8,
	MaxMessages:          32,
	MaxRetained:          16,
	MaxTopicLength:       64,
	MaxTopicLevels:       16,
	SubscriptionNodes:    3,
	MaxPayloadSize:       256,
	MaxPacketSize:        384,
	MaxClientIDLength:    23,
	OutboxBytes:          512,
	ConnectTimeout:       10 * time.Second,
	PublishRate:          100,
	PublishBurst:         20,
	EvictOfflineSessions: true,
}

// ESP32C3Limits fit an ESP32-C3 (400 KiB SRAM) with half of it left
// free, counting as for PicoLimits the firmware's goroutine stacks and link
// buffers (ceiling 200 KiB). Filters are bound to 16 levels, and the
// subscription tree holds a node per slot: every slot's wildcard filter of
// one level ("+", "sensors/#"), and deeper ones as far as nodes are left,
// which filters sharing their leading levels (several sessions'
// "home/+/temperature") stretch. The ceiling leaves room for no more once
// the broker's admission and login tables are counted, and the filters'
// arena, whose blocks round 96 bytes up to 128: the message store holds 40
// bodies, not 48, to pay for it.
var ESP32C3Limits = Limits{
	MaxSessions:          8,
	MaxConnections:       9,
	MaxSubscriptions:     8,
	MaxInflight:          8,
	MaxQueued:            16,
	MaxMessages:          40,
	MaxRetained:          16,
	MaxTopicLength:       96,
	MaxTopicLevels:       16,
	SubscriptionNodes:    1,
	MaxPayloadSize:       512,
	MaxPacketSize:        640,
	MaxClientIDLength:    23,
	OutboxBytes:          768,
	ConnectTimeout:       10 * time.Second,
	PublishRate:          200,
	PublishBurst:         40,
	EvictOfflineSessions: true,
}

// ErrLimits reports limits that New cannot build a broker from.
var ErrLimits = errors.New("broker: invalid limits")

// maxPublishSize is the size of the largest PUBLISH the limits allow:
// one with a packet identifier (QoS 1 or 2), the longest topic and the
// largest payload, as packet.Publish.Len counts it.
func (l *Limits) maxPublishSize() int {
	n := 2 + l.MaxTopicLength + 2 + l.MaxPayloadSize
	return packet.HeaderSize(n) + n
}

// normalize fills in the defaults of zero fields and checks the rest. It
// works in place and out of line, as New does: inlined, each return of a
// Limits value would take a copy of it in the caller's frame, on the
// stack of a board's main goroutine.
//
//go:noinline
func (l *Limits) normalize() error {
	bad := func(field string, v int) error {
		return because(ErrLimits, field+" = "+strconv.Itoa(v), nil)
	}
	switch {
	case l.MaxSessions < 1:
		return bad("MaxSessions", l.MaxSessions)
	case l.MaxSubscriptions < 1:
		return bad("MaxSubscriptions", l.MaxSubscriptions)
	case l.MaxInflight < 1 || l.MaxInflight > 65535:
		return bad("MaxInflight", l.MaxInflight)
	case l.MaxQueued < 1:
		return bad("MaxQueued", l.MaxQueued)
	case l.MaxRetained < 0:
		return bad("MaxRetained", l.MaxRetained)
	case l.MaxTopicLength < 1 || l.MaxTopicLength > 65535:
		return bad("MaxTopicLength", l.MaxTopicLength)
	case l.MaxTopicLevels < 0 || l.MaxTopicLevels > 65535:
		return bad("MaxTopicLevels", l.MaxTopicLevels)
	case l.SubscriptionNodes < 0 || l.SubscriptionNodes > 65535:
		return bad("SubscriptionNodes", l.SubscriptionNodes)
	case l.MaxPayloadSize < 0:
		return bad("MaxPayloadSize", l.MaxPayloadSize)
	case l.MaxPacketSize < 16 || l.MaxPacketSize > packet.MaxPacketSize:
		return bad("MaxPacketSize", l.MaxPacketSize)
	case l.MaxClientIDLength < 23 || l.MaxClientIDLength > 65535:
		return bad("MaxClientIDLength", l.MaxClientIDLength)
	case l.PublishRate < 0:
		return bad("PublishRate", l.PublishRate)
	case l.PublishBurst < 0:
		return bad("PublishBurst", l.PublishBurst)
	case l.MaxKeepAlive != 0 && l.MinKeepAlive > l.MaxKeepAlive:
		return bad("MinKeepAlive", int(l.MinKeepAlive))
	case l.ConnectTimeout < 0:
		return bad("ConnectTimeout", int(l.ConnectTimeout))
	case l.SlowConsumerWait < 0:
		return bad("SlowConsumerWait", int(l.SlowConsumerWait))
	case l.SessionExpiry < 0:
		return bad("SessionExpiry", int(l.SessionExpiry))
	}
	if l.MaxConnections == 0 {
		l.MaxConnections = l.MaxSessions + l.MaxSessions/4 + 2
	}
	if l.MaxConnections < 1 {
		return bad("MaxConnections", l.MaxConnections)
	}
	if l.MaxPending == 0 {
		l.MaxPending = max(l.MaxConnections-l.MaxSessions, (l.MaxConnections+1)/2)
	}
	if l.MaxPending < 1 || l.MaxPending > l.MaxConnections {
		return bad("MaxPending", l.MaxPending)
	}
	if l.MaxPendingPerSource == 0 {
		l.MaxPendingPerSource = min(8, l.MaxPending)
	}
	if l.MaxPendingPerSource < 1 {
		return bad("MaxPendingPerSource", l.MaxPendingPerSource)
	}
	if l.MaxMessages == 0 {
		l.MaxMessages = l.MaxSessions * (l.MaxInflight + l.MaxQueued)
	}
	if l.MaxMessages < 1 {
		return bad("MaxMessages", l.MaxMessages)
	}
	if l.MaxOfflineMessages == 0 {
		l.MaxOfflineMessages = max(l.MaxMessages/2, 1)
	}
	if l.MaxOfflineMessages < 0 {
		return bad("MaxOfflineMessages", l.MaxOfflineMessages)
	}
	if l.OutboxBytes == 0 {
		l.OutboxBytes = max(l.maxPublishSize(), l.maxSubackSize(), 4096)
	}
	if l.OutboxBytes < l.maxPublishSize() || l.OutboxBytes < l.maxSubackSize() {
		return bad("OutboxBytes", l.OutboxBytes)
	}
	if l.MaxTopicLevels == 0 {
		l.MaxTopicLevels = 32
	}
	if l.SubscriptionNodes == 0 {
		l.SubscriptionNodes = min(l.MaxTopicLevels, 4)
	}
	if l.ConnectTimeout == 0 {
		l.ConnectTimeout = 10 * time.Second
	}
	if l.SlowConsumerWait == 0 {
		l.SlowConsumerWait = time.Second
	}
	if l.PublishRate > 0 && l.PublishBurst == 0 {
		l.PublishBurst = l.PublishRate
	}
	return nil
}

// maxSubackSize is the size of the largest SUBACK: the one answering the
// SUBSCRIBE with the most filters that fits in MaxPacketSize, one-byte
// filters of 4 bytes each with their length and requested QoS, after the
// fixed header and packet identifier.
func (l *Limits) maxSubackSize() int {
	n := (l.MaxPacketSize - 2 - 2) / 4
	for n > 0 && packet.HeaderSize(2+4*n)+2+4*n > l.MaxPacketSize {
		n--
	}
	return packet.HeaderSize(2+n) + 2 + n
}
