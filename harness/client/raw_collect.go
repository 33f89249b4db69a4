package client

import (
	"errors"
	"fmt"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// SubscribeCollect sends a SUBSCRIBE with one filter per topic, all at qos,
// and returns its SUBACK together with any PUBLISH that arrived before it.
// The standard does not order retained messages against the SUBACK, so a
// spec that subscribes where retained messages may match uses this rather
// than Subscribe, which takes an early PUBLISH for a protocol error.
func (c *RawClient) SubscribeCollect(id uint16, qos packet.QoS, timeout time.Duration, filters ...string) (*packet.Suback, []*packet.Publish, error) {
	if err := c.Send(packet.NewSubscribe(id, filtersAt(qos, filters)...)); err != nil {
		return nil, nil, err
	}
	deadline := time.Now().Add(timeout)
	var early []*packet.Publish
	for {
		got, err := c.Read(time.Until(deadline))
		if err != nil {
			return nil, early, fmt.Errorf("expected SUBACK for id %d, got %w", id, err)
		}
		switch got := got.(type) {
		case *packet.Publish:
			early = append(early, got)
		case *packet.Suback:
			if got.PacketID != id {
				return nil, early, fmt.Errorf("expected SUBACK for id %d, got %s", id, Describe(got))
			}
			return got, early, nil
		default:
			return nil, early, fmt.Errorf("expected SUBACK for id %d, got %s", id, Describe(got))
		}
	}
}

// CollectPublishes reads PUBLISH packets until n have arrived or timeout
// passes, and returns those that arrived. Any other packet, or the
// connection closing, ends the collection with an error.
func (c *RawClient) CollectPublishes(n int, timeout time.Duration) ([]*packet.Publish, error) {
	deadline := time.Now().Add(timeout)
	var got []*packet.Publish
	for len(got) < n {
		p, err := c.Read(time.Until(deadline))
		if errors.Is(err, ErrTimeout) {
			return got, fmt.Errorf("expected %d PUBLISH within %s, got %d", n, timeout, len(got))
		}
		if err != nil {
			return got, fmt.Errorf("expected %d PUBLISH, got %w after %d", n, err, len(got))
		}
		pub, ok := p.(*packet.Publish)
		if !ok {
			return got, fmt.Errorf("expected PUBLISH, got %s after %d", Describe(p), len(got))
		}
		got = append(got, pub)
	}
	return got, nil
}

// Acknowledge sends the first answer a subscriber owes for p: PUBACK for
// QoS 1, PUBREC for QoS 2 (the server's PUBREL then needs a PUBCOMP), and
// nothing for QoS 0.
func (c *RawClient) Acknowledge(p *packet.Publish) error {
	switch p.QoS {
	case 1:
		return c.Send(&packet.Puback{PacketID: p.PacketID})
	case 2:
		return c.Send(&packet.Pubrec{PacketID: p.PacketID})
	}
	return nil
}

// PublishWait publishes and waits for the handshake that proves the server
// has taken the message: PUBACK for QoS 1, PUBREC, PUBREL and PUBCOMP for
// QoS 2, and for QoS 0 a PINGRESP to a PINGREQ sent after it (the server
// handles one connection's packets in order). The connection must have no
// subscription that could deliver in between.
func (c *RawClient) PublishWait(topic string, payload []byte, qos packet.QoS, retain bool, id uint16, timeout time.Duration) error {
	if err := c.Publish(topic, payload, qos, retain, id); err != nil {
		return err
	}
	switch qos {
	case 0:
		if err := c.Send(&packet.Pingreq{}); err != nil {
			return err
		}
		return c.ExpectPingresp(timeout)
	case 1:
		return c.ExpectPuback(id, timeout)
	default:
		if err := c.ExpectPubrec(id, timeout); err != nil {
			return err
		}
		if err := c.Send(&packet.Pubrel{PacketID: id}); err != nil {
			return err
		}
		return c.ExpectPubcomp(id, timeout)
	}
}
