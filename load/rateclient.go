package load

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// rateClient is one client of the connection-rate scenarios: it opens
// one connection after another, each with a client identifier of its
// own (id followed by a sequence number), so that no connection takes
// over the session of the one before, whose DISCONNECT the broker may
// not have read yet. Not safe for concurrent use.
type rateClient struct {
	addr    string
	dial    DialFunc // nil: TCP
	timeout time.Duration
	id      string
	seq     int

	idBuf   []byte // the client identifier of the connection
	enc     []byte // CONNECT, then DISCONNECT, encoded
	rbuf    []byte // the reader's buffer: a CONNACK takes 4 bytes
	latency Histogram
}

// once makes one connection: connect (and handshake), CONNECT, CONNACK,
// DISCONNECT, close. It reports how it went and, for a failure, why. The
// outcome is rateCancelled when ctx ended the attempt, whatever failed.
func (c *rateClient) once(ctx context.Context) (rateOutcome, error) {
	start := time.Now()
	nc, err := c.dial.open(ctx, c.addr, c.timeout)
	if err != nil {
		switch {
		case ended(ctx):
			return rateCancelled, nil
		case errors.Is(err, ErrHandshake):
			return rateHandshakeFailed, err
		}
		return rateDialFailed, fmt.Errorf("connect: %w", err)
	}
	resetOnClose(nc)
	defer nc.Close()
	nc.SetDeadline(start.Add(c.timeout))
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Now()) })
	defer stop()

	outcome, err := c.exchange(nc)
	if outcome != rateConnected && ended(ctx) {
		return rateCancelled, nil
	}
	if outcome == rateConnected {
		c.latency.Record(time.Since(start))
		b, _ := packet.Disconnect{}.Append(c.enc[:0])
		nc.Write(b) // best effort: the connection is measured already
	}
	return outcome, err
}

// exchange sends CONNECT on nc and reads the CONNACK.
func (c *rateClient) exchange(nc net.Conn) (rateOutcome, error) {
	c.seq++
	c.idBuf = strconv.AppendInt(append(c.idBuf[:0], c.id...), int64(c.seq), 10)
	b, err := packet.Connect{CleanSession: true, ClientID: c.idBuf}.Append(c.enc[:0])
	if err != nil {
		return rateDropped, fmt.Errorf("encoding CONNECT: %w", err)
	}
	c.enc = b[:0]
	if _, err := nc.Write(b); err != nil {
		return rateDropped, fmt.Errorf("sending CONNECT: %w", err)
	}
	if c.rbuf == nil {
		c.rbuf = make([]byte, 64)
	}
	p, err := packet.NewReader(nc, c.rbuf).ReadPacket()
	if err != nil {
		return rateDropped, fmt.Errorf("waiting for CONNACK: %w", err)
	}
	ack, ok := p.(*packet.Connack)
	if !ok {
		return rateDropped, fmt.Errorf("got %v, want CONNACK", p.Type())
	}
	if ack.ReturnCode != packet.Accepted {
		return rateRefused, &RefusedError{Code: ack.ReturnCode}
	}
	return rateConnected, nil
}

// ended reports whether ctx is done or past its deadline: a dial fails
// with a timeout at the deadline, which may come before the context's
// own timer marks it done, and that failure is the run's end, not the
// broker's.
func ended(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	d, ok := ctx.Deadline()
	return ok && !time.Now().Before(d)
}
