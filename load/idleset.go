package load

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// idleSet holds the connections of the idle-sessions scenario: after
// setup each one is only a net.Conn, with no buffers, so that the load
// tool's own memory does not limit how many it can hold.
type idleSet struct {
	addr      string
	prefix    string
	runID     string
	qos       packet.QoS
	keepAlive uint16 // seconds
	timeout   time.Duration
	local     []*net.TCPAddr // source addresses to spread over; none: the system's choice

	accepted, filterRefused, refused, closed atomic.Int64

	mu       sync.Mutex
	conns    []net.Conn // the held connections, in the order they were accepted
	released int        // accepted connections closed since
}

// The outcomes of opening one idle session.
type idleOutcome int

const (
	idleAccepted      idleOutcome = iota // CONNACK 0, SUBACK granting the filter
	idleFilterRefused                    // CONNACK 0, SUBACK 0x80: a session without its filter
	idleRefused                          // CONNACK with a refusal code
	idleClosed                           // closed by the broker before it answered both
)

// sourcesPerAddr is how many connections the scenario opens from one
// loopback source address: well below the 28 232 ephemeral ports of
// Linux's default range, each of which one connection to the broker's
// address takes.
const sourcesPerAddr = 16384

// sourceAddrs spreads n connections to addr over enough loopback source
// addresses (127.0.0.1, .2, …) that each has ephemeral ports to spare.
// It returns nil, the system's choice, when one address is enough or addr
// is not an IPv4 loopback address, where other sources may not route.
func sourceAddrs(addr string, n int) []*net.TCPAddr {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() || ip.To4() == nil || n <= sourcesPerAddr {
		return nil
	}
	k := min((n+sourcesPerAddr-1)/sourcesPerAddr, 250)
	addrs := make([]*net.TCPAddr, k)
	for i := range addrs {
		addrs[i] = &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+i))}
	}
	return addrs
}

// open opens the idle sessions from to to-1 with at most concurrency of
// them being set up at once. Refusals are counted; any other failure ends
// the opening and is returned.
func (s *idleSet) open(ctx context.Context, from, to, concurrency int) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	next.Store(int64(from))
	var wg sync.WaitGroup
	for range min(concurrency, max(to-from, 0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= to {
					return
				}
				nc, outcome, err := s.openOne(ctx, i)
				if err != nil {
					cancel(err)
					return
				}
				s.count(outcome, nc)
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return nil
}

func (s *idleSet) count(outcome idleOutcome, nc net.Conn) {
	switch outcome {
	case idleAccepted:
		s.accepted.Add(1)
	case idleFilterRefused:
		s.filterRefused.Add(1)
	case idleRefused:
		s.refused.Add(1)
	case idleClosed:
		s.closed.Add(1)
	}
	if nc != nil {
		s.mu.Lock()
		s.conns = append(s.conns, nc)
		s.mu.Unlock()
	}
}

// openOne connects idle session i, subscribes it to prefix/i and waits for
// the CONNACK and SUBACK. It returns the connection when the broker holds
// the session, and an error only for failures that are not the broker's
// refusal.
func (s *idleSet) openOne(ctx context.Context, i int) (net.Conn, idleOutcome, error) {
	d := net.Dialer{Timeout: s.timeout}
	if len(s.local) > 0 {
		d.LocalAddr = s.local[i%len(s.local)]
	}
	nc, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return nil, 0, fmt.Errorf("load: idle session %d: connect: %w", i, err)
	}
	// CONNECT and SUBSCRIBE leave in one write (a client may send packets
	// before its CONNACK): one round trip per session instead of two.
	id := fmt.Sprintf("gatoload-%s-idle%d", s.runID, i)
	b, err := packet.Connect{CleanSession: true, KeepAlive: s.keepAlive, ClientID: []byte(id)}.Append(make([]byte, 0, 96))
	if err == nil {
		filter := packet.Filter{Topic: fmt.Appendf(nil, "%s/%d", s.prefix, i), QoS: s.qos}
		b, err = packet.NewSubscribe(1, filter).Append(b)
	}
	if err != nil {
		nc.Close()
		return nil, 0, fmt.Errorf("load: idle session %d: %w", i, err)
	}
	nc.SetDeadline(time.Now().Add(s.timeout))
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Now()) })
	outcome, err := s.handshake(nc, b)
	stop()
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err != nil || (outcome != idleAccepted && outcome != idleFilterRefused) {
		nc.Close()
		if err != nil {
			return nil, 0, fmt.Errorf("load: idle session %d: %w", i, err)
		}
		return nil, outcome, nil
	}
	nc.SetDeadline(time.Time{})
	return nc, outcome, nil
}

// handshake writes the CONNECT and SUBSCRIBE in b and reads the answers.
func (s *idleSet) handshake(nc net.Conn, b []byte) (idleOutcome, error) {
	if _, err := nc.Write(b); err != nil {
		if closedByPeer(err) {
			return idleClosed, nil
		}
		return 0, err
	}
	// CONNACK and SUBACK take 4 and 5 bytes; the buffer goes with the
	// function, so a held session costs the tool no reader.
	r := packet.NewReader(nc, make([]byte, 64))
	p, err := r.ReadPacket()
	if err != nil {
		if closedByPeer(err) {
			return idleClosed, nil
		}
		return 0, fmt.Errorf("waiting for CONNACK: %w", err)
	}
	ack, ok := p.(*packet.Connack)
	if !ok {
		return 0, fmt.Errorf("got %v, want CONNACK", p.Type())
	}
	if ack.ReturnCode != packet.Accepted {
		return idleRefused, nil
	}
	if p, err = r.ReadPacket(); err != nil {
		if closedByPeer(err) {
			return idleClosed, nil
		}
		return 0, fmt.Errorf("waiting for SUBACK: %w", err)
	}
	sub, ok := p.(*packet.Suback)
	if !ok || sub.PacketID != 1 || len(sub.ReturnCodes) != 1 {
		return 0, fmt.Errorf("got %v, want the SUBACK for packet 1", p.Type())
	}
	if sub.ReturnCodes[0] == packet.SubackFailure {
		return idleFilterRefused, nil
	}
	return idleAccepted, nil
}

// held reports the connections the broker holds sessions for.
func (s *idleSet) held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// release disconnects the n most recently accepted sessions, to free
// places for a routing run's clients at a broker that refused some.
func (s *idleSet) release(n int) {
	s.mu.Lock()
	n = min(n, len(s.conns))
	gone := s.conns[len(s.conns)-n:]
	s.conns = s.conns[:len(s.conns)-n]
	s.released += n
	s.mu.Unlock()
	disconnect(gone)
}

// ping sends every held connection a PINGREQ, so that a run longer than
// the keep alive does not lose its sessions; the PINGRESPs stay unread
// in the socket buffers, two bytes each.
func (s *idleSet) ping() {
	s.mu.Lock()
	conns := append([]net.Conn(nil), s.conns...)
	s.mu.Unlock()
	b, _ := packet.Pingreq{}.Append(nil)
	for _, nc := range conns {
		nc.SetWriteDeadline(time.Now().Add(time.Second))
		nc.Write(b) // a broken connection shows in the routing run, not here
	}
}

// keepAlive pings the held connections every half keep alive until stop
// is closed.
func (s *idleSet) keepAliveUntil(stop <-chan struct{}) {
	if s.keepAlive == 0 {
		return
	}
	t := time.NewTicker(time.Duration(s.keepAlive) * time.Second / 2)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			s.ping()
		}
	}
}

// closeAll disconnects every held connection.
func (s *idleSet) closeAll() {
	s.mu.Lock()
	conns := s.conns
	s.conns = nil
	s.mu.Unlock()
	disconnect(conns)
}

// disconnect sends each connection DISCONNECT, best effort, so that the
// broker drops its session at once, and closes it with a reset rather
// than a FIN: a closing side keeps each connection in TIME_WAIT for a
// minute, holding its ephemeral port, and tens of thousands of those make
// the next run's connects search the nearly exhausted port range (after
// a run of 19 000 sessions, the next broker's 19 000 took 41 s to set up
// instead of 2). The
// sessions are clean, so the broker loses nothing it would keep.
func disconnect(conns []net.Conn) {
	b, _ := packet.Disconnect{}.Append(nil)
	for _, nc := range conns {
		nc.SetWriteDeadline(time.Now().Add(time.Second))
		nc.Write(b)
		if tc, ok := nc.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		nc.Close()
	}
}

// settledMemory reads the memory of process pid until its RSS stops
// growing between two readings interval apart, for at most bound, and
// returns the last reading: a broker may still be allocating for the
// sessions it has just acknowledged.
func settledMemory(ctx context.Context, pid int, interval, bound time.Duration) (Memory, error) {
	m, err := ReadMemory(pid)
	if err != nil {
		return m, err
	}
	deadline := time.Now().Add(bound)
	t := time.NewTicker(interval)
	defer t.Stop()
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return m, nil
		case <-t.C:
		}
		next, err := ReadMemory(pid)
		if err != nil {
			return m, err
		}
		grew := next.RSS > m.RSS
		m = next
		if !grew {
			break
		}
	}
	return m, nil
}

// refusedByBroker reports whether err says the broker refused or dropped
// a connection, which a routing run beside a broker at its session or
// connection limit retries.
func refusedByBroker(err error) bool {
	var refused *RefusedError
	return errors.As(err, &refused) || closedByPeer(err)
}
