package client

import (
	"context"
	"fmt"
	"net"
	"net/url"

	"github.com/gatomqtt/gatomqtt/broker/mqttws"
)

// dialURL connects to a broker URL as the targets give them (see
// target.Endpoints.MQTTURL): tcp://host:port, or ws://host:port/path for
// MQTT over WebSocket.
func dialURL(ctx context.Context, u *url.URL) (net.Conn, error) {
	switch u.Scheme {
	case "ws":
		return mqttws.Dial(ctx, u.String())
	case "tcp", "mqtt", "":
		var d net.Dialer
		return d.DialContext(ctx, "tcp", u.Host)
	}
	return nil, fmt.Errorf("harness: no dialer for %s", u.Redacted())
}
