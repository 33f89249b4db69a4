package tlspsk

import "net"

// This file is the only one that needs package net: it adapts Conn to
// net.Conn and wraps listeners. The rest of the package runs over any
// io.ReadWriteCloser (see ServerOver and ClientOver).

var _ net.Conn = (*Conn)(nil)

// Server returns a server-side Conn over conn, as crypto/tls.Server does.
// The handshake runs on first Read, Write or Handshake.
func Server(conn net.Conn, config *Config) *Conn {
	return newConn(conn, config, false)
}

// Client returns a client-side Conn over conn.
func Client(conn net.Conn, config *Config) *Conn {
	return newConn(conn, config, true)
}

// LocalAddr returns the transport's local address, or nil when the
// transport is not a net.Conn.
func (c *Conn) LocalAddr() net.Addr {
	if nc, ok := c.rw.(net.Conn); ok {
		return nc.LocalAddr()
	}
	return nil
}

// RemoteAddr returns the transport's remote address, or nil when the
// transport is not a net.Conn.
func (c *Conn) RemoteAddr() net.Addr {
	if nc, ok := c.rw.(net.Conn); ok {
		return nc.RemoteAddr()
	}
	return nil
}

// NetConn returns the underlying net.Conn, or nil when the transport is
// not one.
func (c *Conn) NetConn() net.Conn {
	nc, _ := c.rw.(net.Conn)
	return nc
}

type listener struct {
	net.Listener
	config *Config
}

// Accept waits for the next connection and returns it as a server-side
// *Conn whose handshake has not run yet.
func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return Server(c, l.config), nil
}

// NewListener returns a listener whose Accept wraps each connection of
// inner with Server(conn, config).
func NewListener(inner net.Listener, config *Config) net.Listener {
	return &listener{Listener: inner, config: config}
}

// Listen listens on the network address and wraps it with NewListener. The
// configuration is checked first, so a server without PSKs fails here
// rather than on every connection.
func Listen(network, address string, config *Config) (net.Listener, error) {
	if err := config.check(false); err != nil {
		return nil, err
	}
	l, err := net.Listen(network, address)
	if err != nil {
		return nil, err
	}
	return NewListener(l, config), nil
}
