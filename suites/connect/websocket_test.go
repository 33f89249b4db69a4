package connect_test

import (
	"errors"
	"net"
	"time"

	"github.com/gorilla/websocket"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness"
	"github.com/gatomqtt/gatomqtt/harness/client"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Specs for MQTT over WebSocket: they run on targets served over
// WebSocket (ws=/path) and skip elsewhere.
var _ = Describe("MQTT over WebSocket", func() {
	connect := func() []byte {
		return frame(harness.Credentials(client.ConnectOptions{ClientID: client.ClientID("ws"), CleanSession: true}).Packet())
	}
	// next reads the next binary message, bounded.
	next := func(ws *websocket.Conn) ([]byte, error) {
		ws.SetReadDeadline(time.Now().Add(harness.Timeout))
		for {
			kind, b, err := ws.ReadMessage()
			if err != nil || kind == websocket.BinaryMessage {
				return b, err
			}
		}
	}

	It("selects mqtt as the subprotocol", Label("MQTT-6.0.0-4"), SpecTimeout(specTimeout), func(ctx SpecContext) {
		ws := harness.WebSocketFrames("mqttv3.1", "mqtt")
		Expect(ws.Subprotocol()).To(Equal("mqtt"))
	})

	It("reads packets across frame boundaries", Label("MQTT-6.0.0-2"), SpecTimeout(specTimeout), func(ctx SpecContext) {
		ws := harness.WebSocketFrames("mqtt")
		c := connect()
		for _, part := range [][]byte{c[:1], c[1:4], c[4:]} {
			Expect(ws.WriteMessage(websocket.BinaryMessage, part)).To(Succeed())
		}
		Expect(ws.WriteMessage(websocket.BinaryMessage, append(frame(&packet.Pingreq{}), frame(&packet.Pingreq{})...))).To(Succeed())
		var got []byte
		for len(got) < 4+2+2 { // CONNACK, two PINGRESPs, in however many messages
			b, err := next(ws)
			Expect(err).NotTo(HaveOccurred(), "after %x", got)
			got = append(got, b...)
		}
		Expect(got[:2]).To(Equal([]byte{0x20, 0x02}), "CONNACK")
		Expect(got[3]).To(Equal(byte(packet.Accepted)), "CONNACK return code")
		Expect(got[4:]).To(Equal([]byte{0xd0, 0x00, 0xd0, 0x00}), "two PINGRESPs")
	})

	It("closes the connection at a text frame", Label("MQTT-6.0.0-1"), SpecTimeout(specTimeout), func(ctx SpecContext) {
		ws := harness.WebSocketFrames("mqtt")
		Expect(ws.WriteMessage(websocket.BinaryMessage, connect())).To(Succeed())
		b, err := next(ws)
		Expect(err).NotTo(HaveOccurred())
		Expect(b[:2]).To(Equal([]byte{0x20, 0x02}), "CONNACK")
		Expect(ws.WriteMessage(websocket.TextMessage, frame(&packet.Pingreq{}))).To(Succeed())
		b, err = next(ws)
		Expect(err).To(HaveOccurred(), "got %x: the text frame was served", b)
		var ce *websocket.CloseError
		var ne net.Error
		closed := errors.As(err, &ce) || !(errors.As(err, &ne) && ne.Timeout())
		Expect(closed).To(BeTrue(), "the connection is still open: %v", err)
	})
})
