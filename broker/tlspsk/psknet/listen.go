package psknet

import (
	"net"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
)

type listener struct {
	net.Listener
	config *tlspsk.Config
}

// Accept waits for the next connection and returns it as a server-side
// *Conn whose handshake has not run yet, so that a slow or silent client
// does not hold up the next Accept.
func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return Server(c, l.config), nil
}

// NewListener returns a listener whose Accept wraps each connection of
// inner with Server(conn, config).
func NewListener(inner net.Listener, config *tlspsk.Config) net.Listener {
	return &listener{Listener: inner, config: config}
}

// Listen listens on the network address and wraps it with NewListener. The
// configuration is checked first (tlspsk.Config.CheckServer), so a server
// without PSKs fails here rather than on every connection.
func Listen(network, address string, config *tlspsk.Config) (net.Listener, error) {
	if err := config.CheckServer(); err != nil {
		return nil, err
	}
	l, err := net.Listen(network, address)
	if err != nil {
		return nil, err
	}
	return NewListener(l, config), nil
}
