package broker_test

import (
	"errors"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

func TestWill(t *testing.T) {
	tests := []struct {
		name    string
		end     func(t *testing.T, c *client)
		want    bool
		wantErr error
	}{
		{"discarded on DISCONNECT", func(t *testing.T, c *client) { c.disconnect() }, false, nil},
		{"network loss", func(t *testing.T, c *client) { c.drop() }, true, nil},
		{"malformed packet", func(t *testing.T, c *client) {
			c.sendRaw([]byte{0x30, 0x03, 0x00, 0x05, 'x'}) // topic length past the end
			if err := c.expectClosed(); !errors.Is(err, broker.ErrProtocol) {
				t.Errorf("ServeConn returned %v, want ErrProtocol", err)
			}
		}, true, nil},
		{"oversized packet", func(t *testing.T, c *client) {
			c.sendRaw(append([]byte{0x30, 0x80, 0x04}, make([]byte, 16)...)) // 512-byte remaining length
			if err := c.expectClosed(); !errors.Is(err, broker.ErrLimit) {
				t.Errorf("ServeConn returned %v, want ErrLimit", err)
			}
		}, true, nil},
		{"packet only a server sends", func(t *testing.T, c *client) {
			c.send(packet.Connack{})
			if err := c.expectClosed(); !errors.Is(err, broker.ErrProtocol) {
				t.Errorf("ServeConn returned %v, want ErrProtocol", err)
			}
		}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBroker(t, broker.Config{Limits: smallLimits()})
			watcher := mustConnect(t, b, "watcher", true)
			watcher.subscribe("will/#", 2)
			other := mustConnect(t, b, "other", true)
			c := mustConnect(t, b, "c", true, withWill("will/c", "bye", 1, true))
			tt.end(t, c)
			if tt.want {
				p := watcher.expectPublish("will/c", "bye")
				if p.QoS != 1 || p.Retain {
					t.Errorf("will delivered as %+v, want QoS 1 without retain flag", p)
				}
				watcher.ack(p)
				// Retained with the will's retain flag.
				late := mustConnect(t, b, "late", true)
				late.subscribe("will/c", 0)
				if p := late.expectPublish("will/c", "bye"); !p.Retain {
					t.Error("retained will replayed without the retain flag")
				}
			}
			watcher.expectNothing()
			other.ping() // other connections are unaffected
			if st := b.Stats(); (st.Wills == 1) != tt.want {
				t.Errorf("Wills = %d", st.Wills)
			}
		})
	}
}
