package client

import (
	"fmt"
	"strings"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

var connackTexts = [...]string{
	"accepted", "unacceptable protocol version", "identifier rejected",
	"server unavailable", "bad user name or password", "not authorized",
}

func ConnackText(c packet.ConnackCode) string {
	if int(c) < len(connackTexts) {
		return connackTexts[c]
	}
	return "reserved return code"
}

// Describe renders a packet for error messages and logs, with every field
// a conformance check may look at, e.g.
// PUBLISH(qos=1 id=7 dup=false retain=false topic="a/b" payload=5 bytes "hello").
func Describe(p packet.Packet) string {
	if p == nil {
		return "no packet"
	}
	switch p := p.(type) {
	case *packet.Connect:
		var b strings.Builder
		fmt.Fprintf(&b, "CONNECT(level=%d clean=%t keepalive=%d id=%q", p.ProtocolLevel, p.CleanSession, p.KeepAlive, p.ClientID)
		if p.WillFlag {
			fmt.Fprintf(&b, " will=%q qos=%d retain=%t", p.WillTopic, p.WillQoS, p.WillRetain)
		}
		if p.UsernameFlag {
			fmt.Fprintf(&b, " user=%q", p.Username)
		}
		if p.PasswordFlag {
			b.WriteString(" password=xxx")
		}
		b.WriteString(")")
		return b.String()
	case *packet.Connack:
		return fmt.Sprintf("CONNACK(code=%d %s, session present=%t)", p.ReturnCode, ConnackText(p.ReturnCode), p.SessionPresent)
	case *packet.Publish:
		s := fmt.Sprintf("PUBLISH(qos=%d", p.QoS)
		if p.QoS > 0 {
			s += fmt.Sprintf(" id=%d", p.PacketID)
		}
		return s + fmt.Sprintf(" dup=%t retain=%t topic=%q payload=%d bytes %q)",
			p.Dup, p.Retain, p.Topic, len(p.Payload), truncate(p.Payload, 32))
	case *packet.Puback:
		return fmt.Sprintf("PUBACK(id=%d)", p.PacketID)
	case *packet.Pubrec:
		return fmt.Sprintf("PUBREC(id=%d)", p.PacketID)
	case *packet.Pubrel:
		return fmt.Sprintf("PUBREL(id=%d)", p.PacketID)
	case *packet.Pubcomp:
		return fmt.Sprintf("PUBCOMP(id=%d)", p.PacketID)
	case *packet.Subscribe:
		var f []string
		it := p.Iter()
		for x, ok := it.Next(); ok; x, ok = it.Next() {
			f = append(f, fmt.Sprintf("%q@%d", x.Topic, x.QoS))
		}
		return fmt.Sprintf("SUBSCRIBE(id=%d %s)", p.PacketID, strings.Join(f, " "))
	case *packet.Suback:
		return fmt.Sprintf("SUBACK(id=%d codes=%v)", p.PacketID, p.ReturnCodes)
	case *packet.Unsubscribe:
		var topics [][]byte
		it := p.Iter()
		for t, ok := it.Next(); ok; t, ok = it.Next() {
			topics = append(topics, t)
		}
		return fmt.Sprintf("UNSUBSCRIBE(id=%d %q)", p.PacketID, topics)
	case *packet.Unsuback:
		return fmt.Sprintf("UNSUBACK(id=%d)", p.PacketID)
	}
	return p.Type().String()
}

// A Message is what conformance checks compare of a PUBLISH: its topic,
// payload, QoS and retain flag, leaving out the packet identifier and DUP
// flag, which may differ between deliveries of one message. Comparing
// Messages, rather than field by field, makes a failure print every field
// that matters at once.
type Message struct {
	Topic   string
	Payload string
	QoS     packet.QoS
	Retain  bool
}

// MessageOf returns the Message p carries.
func MessageOf(p *packet.Publish) Message {
	return Message{Topic: string(p.Topic), Payload: string(p.Payload), QoS: p.QoS, Retain: p.Retain}
}

// MessagesOf returns the Messages ps carry, in order.
func MessagesOf(ps []*packet.Publish) []Message {
	out := make([]Message, len(ps))
	for i, p := range ps {
		out[i] = MessageOf(p)
	}
	return out
}

// packetID returns the packet identifier of acknowledgement-like packets.
func packetID(p packet.Packet) (uint16, bool) {
	switch p := p.(type) {
	case *packet.Puback:
		return p.PacketID, true
	case *packet.Pubrec:
		return p.PacketID, true
	case *packet.Pubrel:
		return p.PacketID, true
	case *packet.Pubcomp:
		return p.PacketID, true
	case *packet.Suback:
		return p.PacketID, true
	case *packet.Unsuback:
		return p.PacketID, true
	case *packet.Publish:
		return p.PacketID, p.QoS > 0
	}
	return 0, false
}
