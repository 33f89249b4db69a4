package client

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// TLS record content types as they appear in a record header. In TLS 1.3
// every record after the ServerHello is application_data on the wire,
// whatever it carries inside.
const (
	RecordChangeCipherSpec = 20
	RecordAlert            = 21
	RecordHandshake        = 22
	RecordApplicationData  = 23
)

// RecordStats count the TLS records seen in one direction of a connection,
// from their 5-byte headers.
type RecordStats struct {
	Records int
	// MaxLength is the largest record length field seen: the bytes after
	// the header, which for a protected record is the inner plaintext, its
	// content-type byte and the AEAD tag.
	MaxLength int
	// ByType counts records per outer content type.
	ByType map[byte]int
	// Bytes is everything seen, headers included.
	Bytes int
}

// RecordConn is a net.Conn that watches the TLS records crossing it in
// both directions, so a spec can check what the peer sent on the wire:
// record sizes under a negotiated limit, or that no application data ever
// came from a peer that refused the handshake.
type RecordConn struct {
	net.Conn
	mu      sync.Mutex
	in, out recordParser
}

// NewRecordConn watches conn.
func NewRecordConn(conn net.Conn) *RecordConn {
	return &RecordConn{Conn: conn}
}

func (c *RecordConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.mu.Lock()
	c.in.feed(b[:n])
	c.mu.Unlock()
	return n, err
}

func (c *RecordConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.mu.Lock()
	c.out.feed(b[:n])
	c.mu.Unlock()
	return n, err
}

// In reports the records received from the peer so far.
func (c *RecordConn) In() RecordStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.in.snapshot()
}

// Out reports the records sent to the peer so far.
func (c *RecordConn) Out() RecordStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.snapshot()
}

// ExpectClosed reads (and counts) whatever the peer still sends until it
// closes the connection, and returns nil when that happens within the
// bound. The connection is closed on return either way.
func (c *RecordConn) ExpectClosed(within time.Duration) error {
	defer c.Conn.Close()
	_ = c.Conn.SetReadDeadline(time.Now().Add(within))
	buf := make([]byte, 4096)
	for {
		_, err := c.Read(buf)
		switch {
		case err == nil:
			continue
		case errors.Is(classify(err), ErrClosed):
			return nil
		case errors.Is(classify(err), ErrTimeout):
			return fmt.Errorf("expected the peer to close the connection within %s, still open", within)
		default:
			return fmt.Errorf("expected the peer to close the connection: %w", err)
		}
	}
}

// recordParser follows record boundaries in a byte stream.
type recordParser struct {
	hdr       [5]byte
	have      int // header bytes collected
	remaining int // body bytes of the current record still to come
	stats     RecordStats
}

func (p *recordParser) feed(b []byte) {
	p.stats.Bytes += len(b)
	for len(b) > 0 {
		if p.remaining > 0 {
			k := min(p.remaining, len(b))
			p.remaining -= k
			b = b[k:]
			continue
		}
		k := copy(p.hdr[p.have:], b)
		p.have += k
		b = b[k:]
		if p.have < len(p.hdr) {
			return
		}
		p.have = 0
		n := int(p.hdr[3])<<8 | int(p.hdr[4])
		p.stats.Records++
		p.stats.MaxLength = max(p.stats.MaxLength, n)
		if p.stats.ByType == nil {
			p.stats.ByType = map[byte]int{}
		}
		p.stats.ByType[p.hdr[0]]++
		p.remaining = n
	}
}

func (p *recordParser) snapshot() RecordStats {
	s := p.stats
	s.ByType = make(map[byte]int, len(p.stats.ByType))
	for k, v := range p.stats.ByType {
		s.ByType[k] = v
	}
	return s
}
