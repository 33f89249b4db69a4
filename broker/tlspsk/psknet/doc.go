// Package psknet runs TLS-PSK connections (package tlspsk) over package
// net, as crypto/tls does for certificates: Server and Client wrap a
// net.Conn into a Conn that is itself a net.Conn, and Listen and
// NewListener wrap a net.Listener so that Accept returns such Conns.
//
// It is a package of its own so that tlspsk does not import net: boards
// run tlspsk over a bare byte stream (tlspsk.ServerOver and ClientOver on
// an io.ReadWriteCloser such as a UART) and never link net, while hosts
// serving TCP use this package.
//
// A Conn adds only the addresses of the connection beneath. Everything
// else, deadlines included, is the embedded *tlspsk.Conn's: its
// SetDeadline, SetReadDeadline and SetWriteDeadline pass through to the
// net.Conn, which always has them, so they never return
// tlspsk.ErrNoDeadline here.
package psknet
