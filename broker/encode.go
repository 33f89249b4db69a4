package broker

import "github.com/gatomqtt/gatomqtt/broker/packet"

// The broker encodes the few packets it sends straight into a connection's
// outbox, after checking the room, so that encoding never grows a buffer.

// publishSize is the encoded size of a PUBLISH.
func publishSize(topic, payload []byte, qos packet.QoS) int {
	return packet.Publish{Topic: topic, Payload: payload, QoS: qos}.Len()
}

func appendPublish(dst, topic, payload []byte, qos packet.QoS, id uint16, dup, retain bool) []byte {
	n := 2 + len(topic) + len(payload)
	flags := byte(qos) << 1
	if qos > 0 {
		n += 2
	}
	if dup {
		flags |= 0x8
	}
	if retain {
		flags |= 0x1
	}
	dst = packet.AppendHeader(dst, packet.PUBLISH, flags, n)
	dst = packet.AppendBytes(dst, topic)
	if qos > 0 {
		dst = packet.AppendUint16(dst, id)
	}
	return append(dst, payload...)
}

// appendAck appends PUBACK, PUBREC, PUBREL, PUBCOMP or UNSUBACK.
func appendAck(dst []byte, t packet.Type, id uint16) []byte {
	flags := byte(0)
	if t == packet.PUBREL {
		flags = 2
	}
	return append(dst, byte(t)<<4|flags, 2, byte(id>>8), byte(id))
}

const ackSize = 4
