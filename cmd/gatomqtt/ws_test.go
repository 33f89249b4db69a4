package main

import (
	"context"
	"regexp"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker/mqttws"
	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness/client"
)

var wsListening = regexp.MustCompile(`; MQTT over WebSocket on (ws://\S+/)`)

// TestWebSocketListener: -ws-listen serves the same broker over
// WebSocket: a message published over TCP reaches a WebSocket subscriber.
func TestWebSocketListener(t *testing.T) {
	line := startLine(t, "-ws-listen", "127.0.0.1:0")
	m, w := listening.FindStringSubmatch(line), wsListening.FindStringSubmatch(line)
	if m == nil || w == nil {
		t.Fatalf("startup line %q does not say where MQTT and WebSocket are served", line)
	}
	ctx, cancel := context.WithTimeout(context.Background(), ioWait)
	defer cancel()
	conn, err := mqttws.Dial(ctx, w[1]+"mqtt")
	if err != nil {
		t.Fatal(err)
	}
	ws := speak(t, conn)
	if code := connack(t, ws, client.ConnectOptions{ClientID: "browser", CleanSession: true}); code != packet.Accepted {
		t.Fatalf("CONNECT over WebSocket: CONNACK %d", code)
	}
	if _, err := ws.Subscribe(1, 0, ioWait, "ws/t"); err != nil {
		t.Fatal(err)
	}
	tcp := dial(t, m[1])
	connack(t, tcp, client.ConnectOptions{ClientID: "tcp", CleanSession: true})
	if err := tcp.PublishWait("ws/t", []byte("over the bridge"), 1, false, 7, ioWait); err != nil {
		t.Fatal(err)
	}
	p, err := ws.ExpectPublish(ioWait)
	if err != nil || string(p.Payload) != "over the bridge" {
		t.Fatalf("WebSocket subscriber got %v, %v; want the message published over TCP", p, err)
	}
}

func TestWSOriginsNeedsListener(t *testing.T) {
	if _, err := parseFlags([]string{"-ws-origins", "https://a.example"}, nil); err == nil {
		t.Error("-ws-origins without -ws-listen accepted")
	}
}
