package inproc_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

// TestInprocOverWebSocket: with ws= the in-process broker's plain MQTT is
// served over WebSocket, and the harness's clients reach it there.
func TestInprocOverWebSocket(t *testing.T) {
	tg, err := target.Parse("inproc?ws=/mqtt")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := tg.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer tg.Stop()
	if u := tg.Endpoints().MQTTURL(); !strings.HasPrefix(u, "ws://127.0.0.1:") || !strings.HasSuffix(u, "/mqtt") {
		t.Fatalf("MQTTURL = %q, want ws://127.0.0.1:<port>/mqtt", u)
	}
	c, err := client.Dial(tg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cr := tg.Capabilities().Credentials
	ack, err := c.Connect(client.ConnectOptions{ClientID: "ws", CleanSession: true, Username: cr.Name, Password: cr.Password}, 5*time.Second)
	if err != nil || ack.ReturnCode != packet.Accepted {
		t.Fatalf("CONNECT over WebSocket: %v %s", err, client.Describe(ack))
	}
	if _, err := target.Parse("inproc?ws=mqtt"); err == nil {
		t.Error("ws=mqtt (no leading slash) accepted")
	}
}
