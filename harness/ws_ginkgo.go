package harness

import (
	"context"
	"fmt"

	"github.com/gorilla/websocket"
	"github.com/onsi/ginkgo/v2"
)

// WebSocketFrames opens a WebSocket to the current target, offering
// subprotocols, for specs about the frames themselves (MQTT-6.0.0); it
// skips the spec unless the target serves MQTT over WebSocket. The
// connection is closed when the spec ends. Specs that only speak MQTT use
// Raw and Paho, which dial WebSocket targets by themselves.
func WebSocketFrames(subprotocols ...string) *websocket.Conn {
	ginkgo.GinkgoHelper()
	t := Current()
	if t.Endpoints().WebSocket == "" {
		ginkgo.Skip("target "+t.Name()+" serves MQTT over TCP, not WebSocket (tcp and inproc targets take ws=/path)", 1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	d := websocket.Dialer{Subprotocols: subprotocols}
	ws, resp, err := d.DialContext(ctx, t.Endpoints().MQTTURL(), nil)
	if err != nil {
		status := ""
		if resp != nil {
			status = " (HTTP " + resp.Status + ")"
		}
		ginkgo.Fail(fmt.Sprintf("harness: WebSocket to %s: %v%s", t.Endpoints().MQTTURL(), err, status), 1)
	}
	ginkgo.DeferCleanup(ws.Close)
	return ws
}
