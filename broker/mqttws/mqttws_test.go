package mqttws_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/listen/listentest"
	"github.com/gatomqtt/gatomqtt/broker/mqttws"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// serve runs a broker behind mqttws.Serve on loopback and returns its
// ws:// URL.
func serve(t *testing.T, o mqttws.HandlerOptions) string {
	t.Helper()
	b, err := broker.New(broker.Config{Limits: broker.HostLimits})
	if err != nil {
		t.Fatal(err)
	}
	ln := listentest.Loopback(t)
	listentest.Serve(t, b, func(ctx context.Context, ln net.Listener, b *broker.Broker) error {
		return mqttws.Serve(ctx, ln, b, o)
	}, ln)
	return "ws://" + ln.Addr().String() + "/mqtt"
}

func encode(t *testing.T, ps ...packet.Packet) []byte {
	t.Helper()
	var b []byte
	for _, p := range ps {
		var err error
		if b, err = p.Append(b); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// reader reads packets from c, each wait bounded.
func reader(t *testing.T, c net.Conn) func() packet.Packet {
	r := packet.NewReader(c, make([]byte, 1024))
	return func() packet.Packet {
		t.Helper()
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		p, err := r.ReadPacket()
		if err != nil {
			t.Fatalf("reading a packet: %v", err)
		}
		return p
	}
}

// TestPacketsAcrossMessages: a packet split over several binary messages
// and several packets in one message are read as the stream they make
// (MQTT-6.0.0-2).
func TestPacketsAcrossMessages(t *testing.T) {
	url := serve(t, mqttws.HandlerOptions{})
	ws, _, err := (&websocket.Dialer{Subprotocols: []string{"mqtt"}}).Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if ws.Subprotocol() != "mqtt" {
		t.Fatalf("server selected %q, want mqtt (MQTT-6.0.0-4)", ws.Subprotocol())
	}
	connect := encode(t, packet.Connect{ClientID: []byte("split"), CleanSession: true})
	for _, part := range [][]byte{connect[:1], connect[1:3], connect[3:]} {
		if err := ws.WriteMessage(websocket.BinaryMessage, part); err != nil {
			t.Fatal(err)
		}
	}
	// Two PINGREQs in one message.
	if err := ws.WriteMessage(websocket.BinaryMessage, encode(t, packet.Pingreq{}, packet.Pingreq{})); err != nil {
		t.Fatal(err)
	}
	next := reader(t, mqttws.NewConn(ws))
	if ack, ok := next().(*packet.Connack); !ok || ack.ReturnCode != packet.Accepted {
		t.Fatalf("CONNECT in three messages answered with %+v", ack)
	}
	for i := range 2 {
		if p, ok := next().(*packet.Pingresp); !ok {
			t.Fatalf("PINGREQ %d answered with %+v", i, p)
		}
	}
}

// TestTextMessageCloses: a text message closes the connection with code
// 1003 (MQTT-6.0.0-1).
func TestTextMessageCloses(t *testing.T) {
	url := serve(t, mqttws.HandlerOptions{})
	ws, _, err := (&websocket.Dialer{Subprotocols: []string{"mqtt"}}).Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if err := ws.WriteMessage(websocket.BinaryMessage, encode(t, packet.Connect{ClientID: []byte("text"), CleanSession: true})); err != nil {
		t.Fatal(err)
	}
	if err := ws.WriteMessage(websocket.TextMessage, encode(t, packet.Pingreq{})); err != nil {
		t.Fatal(err)
	}
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		kind, msg, err := ws.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.CloseUnsupportedData {
				t.Fatalf("after a text message: %v, want a close with code 1003", err)
			}
			return
		}
		if kind == websocket.BinaryMessage && len(msg) > 0 && msg[0]>>4 == 13 {
			t.Fatal("the text message was served as a PINGREQ")
		}
	}
}

// TestHandshakeRefusals: no mqtt subprotocol, or an Origin not allowed.
func TestHandshakeRefusals(t *testing.T) {
	url := serve(t, mqttws.HandlerOptions{Origins: []string{"https://good.example"}})
	for _, tc := range []struct {
		name     string
		protos   []string
		origin   string
		status   int
		saysWhat string
	}{
		{"no subprotocol", nil, "", http.StatusBadRequest, "subprotocol mqtt"},
		{"another subprotocol", []string{"mqttv3.1"}, "", http.StatusBadRequest, "subprotocol mqtt"},
		{"origin not allowed", []string{"mqtt"}, "https://evil.example", http.StatusForbidden, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.origin != "" {
				h.Set("Origin", tc.origin)
			}
			_, resp, err := (&websocket.Dialer{Subprotocols: tc.protos}).Dial(url, h)
			if err == nil || resp == nil || resp.StatusCode != tc.status {
				t.Fatalf("dial: %v, response %v; want HTTP %d", err, resp, tc.status)
			}
			if tc.saysWhat != "" {
				var body [256]byte
				n, _ := resp.Body.Read(body[:])
				if !strings.Contains(string(body[:n]), tc.saysWhat) {
					t.Errorf("body %q does not say %q", body[:n], tc.saysWhat)
				}
			}
		})
	}
	h := http.Header{}
	h.Set("Origin", "https://good.example")
	ws, _, err := (&websocket.Dialer{Subprotocols: []string{"mqtt"}}).Dial(url, h)
	if err != nil {
		t.Fatalf("an allowed origin: %v", err)
	}
	ws.Close()
}

func TestDial(t *testing.T) {
	url := serve(t, mqttws.HandlerOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := mqttws.Dial(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(encode(t, packet.Connect{ClientID: []byte("dial"), CleanSession: true})); err != nil {
		t.Fatal(err)
	}
	if ack, ok := reader(t, c)().(*packet.Connack); !ok || ack.ReturnCode != packet.Accepted {
		t.Fatalf("CONNACK: %+v", ack)
	}
	// A server that is not MQTT over WebSocket is refused with the reason.
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()
	if _, err := mqttws.Dial(ctx, "ws"+strings.TrimPrefix(plain.URL, "http")+"/mqtt"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("dialling a plain HTTP server: %v, want an error naming HTTP 404", err)
	}
}
