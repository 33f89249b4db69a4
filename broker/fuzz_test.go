package broker_test

import (
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// FuzzServeConn feeds arbitrary bytes after a valid CONNECT, beside a
// well-behaved client: the broker must end or keep serving the fuzzed
// connection without panicking or hanging, and keep serving the other.
func FuzzServeConn(f *testing.F) {
	f.Add(mustAppend(packet.NewSubscribe(1, packet.Filter{Topic: []byte("#"), QoS: 2}),
		packet.Publish{Topic: []byte("a"), Payload: []byte("x"), QoS: 2, PacketID: 2}, packet.Pubrel{PacketID: 2}))
	f.Add(mustAppend(packet.Publish{Topic: []byte("a/b"), QoS: 1, PacketID: 1, Retain: true}, packet.Pingreq{}))
	f.Add(mustAppend(packet.NewUnsubscribe(3, []byte("a/+")), packet.Disconnect{}))
	f.Add([]byte{0x30, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Add([]byte{0x82, 0x05, 0x00, 0x01, 0x00, 0x01, 0x23, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := broker.New(broker.Config{Limits: smallLimits()})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		other := mustConnect(t, b, "other", true)
		other.subscribe("#", 1)

		fc := newFakeConn(true)
		done := make(chan error, 1)
		go func() { done <- b.ServeConn(fc) }()
		fc.feed(mustAppend(packet.Connect{ClientID: []byte("fuzz"), CleanSession: true}))
		fc.feed(data)
		// Every byte fed is read, or the connection ends.
		waitFor(t, func() bool {
			select {
			case err := <-done:
				done <- err
				return true
			default:
			}
			fc.mu.Lock()
			defer fc.mu.Unlock()
			return len(fc.in) == 0
		})
		// The other client is still served: drain what it was sent, then
		// a PINGREQ round trip.
		other.send(packet.Pingreq{})
		for {
			p := other.recv()
			if p.Type() == packet.PINGRESP {
				break
			}
			if pub, ok := p.(*packet.Publish); ok && pub.QoS > 0 {
				other.send(packet.Puback{PacketID: pub.PacketID})
			}
		}
		fc.Close()
		select {
		case <-done:
		case <-time.After(wait):
			t.Fatal("ServeConn did not return after the stream closed")
		}
	})
}
