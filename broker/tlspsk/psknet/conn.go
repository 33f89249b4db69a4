package psknet

import (
	"net"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
)

// Conn is a TLS-PSK connection over a net.Conn. The embedded *tlspsk.Conn
// reads, writes, closes and sets deadlines; Conn adds the addresses that
// net.Conn requires.
type Conn struct {
	*tlspsk.Conn
	nc net.Conn
}

var _ net.Conn = (*Conn)(nil)

// Server returns a server-side Conn over conn, as crypto/tls.Server does.
// The handshake runs on first Read, Write or Handshake.
func Server(conn net.Conn, config *tlspsk.Config) *Conn {
	return &Conn{Conn: tlspsk.ServerOver(conn, config), nc: conn}
}

// Client returns a client-side Conn over conn.
func Client(conn net.Conn, config *tlspsk.Config) *Conn {
	return &Conn{Conn: tlspsk.ClientOver(conn, config), nc: conn}
}

// LocalAddr returns the local address of the connection beneath.
func (c *Conn) LocalAddr() net.Addr { return c.nc.LocalAddr() }

// RemoteAddr returns the remote address of the connection beneath.
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// NetConn returns the connection beneath. Reading or writing it directly
// corrupts the TLS session.
func (c *Conn) NetConn() net.Conn { return c.nc }
