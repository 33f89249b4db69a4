package mqttws

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/gorilla/websocket"

	"github.com/gatomqtt/gatomqtt/broker"
)

// HandlerOptions tune Handler.
type HandlerOptions struct {
	// Origins, when set, are the Origin header values allowed (as a
	// browser sends them, such as https://example.com); requests without
	// an Origin (not from a browser) are always allowed.
	Origins []string
}

// Handler serves MQTT over WebSocket on any path: it upgrades a request
// that offers the mqtt subprotocol and serves the connection with
// b.ServeConnFrom, the client's host as its source.
func Handler(b *broker.Broker, o HandlerOptions) http.Handler {
	up := websocket.Upgrader{
		Subprotocols:     []string{Subprotocol},
		HandshakeTimeout: 10 * time.Second,
		CheckOrigin: func(r *http.Request) bool {
			origin := r.Header.Get("Origin")
			return len(o.Origins) == 0 || origin == "" || slices.Contains(o.Origins, origin)
		},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !slices.Contains(websocket.Subprotocols(r), Subprotocol) {
			// MQTT-6.0.0-3: the client must offer mqtt; refuse before the
			// upgrade, so that the client learns why.
			http.Error(w, "MQTT over WebSocket needs the subprotocol mqtt (Sec-WebSocket-Protocol: mqtt)", http.StatusBadRequest)
			return
		}
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return // the upgrader has answered
		}
		if err := checkSubprotocol(ws); err != nil {
			ws.Close()
			return
		}
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		b.ServeConnFrom(NewConn(ws), host)
	})
}

// Serve serves MQTT over WebSocket on ln until ctx is done, then closes
// the listener and waits for the connections it serves.
func Serve(ctx context.Context, ln net.Listener, b *broker.Broker, o HandlerOptions) error {
	srv := &http.Server{
		Handler:           Handler(b, o),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	stop := context.AfterFunc(ctx, func() { srv.Close() })
	defer stop()
	err := srv.Serve(ln)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
