package mqttws

import (
	"context"
	"fmt"

	"github.com/gorilla/websocket"
)

// Dial connects to MQTT over WebSocket at url (ws://host:port/path),
// offering the mqtt subprotocol, and checks that the server selected it
// (MQTT-6.0.0-4).
func Dial(ctx context.Context, url string) (*Conn, error) {
	d := websocket.Dialer{Subprotocols: []string{Subprotocol}}
	ws, resp, err := d.DialContext(ctx, url, nil)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("mqttws: dial %s: %w (HTTP %s)", url, err, resp.Status)
		}
		return nil, fmt.Errorf("mqttws: dial %s: %w", url, err)
	}
	if err := checkSubprotocol(ws); err != nil {
		ws.Close()
		return nil, fmt.Errorf("mqttws: dial %s: the server selected %q, not %q", url, ws.Subprotocol(), Subprotocol)
	}
	return NewConn(ws), nil
}
