package firmware

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/link"
)

// Client is the host's end of a board's control stream: it asks for the
// hello and statistics, requests resets and passes log lines on.
type Client struct {
	ctl   io.ReadWriter
	logf  func(line string)
	mu    sync.Mutex // one request at a time
	hello chan Hello
	stats chan Stats
	done  chan struct{}
	err   error
}

// ErrNoAnswer reports a board that did not answer a request in time.
var ErrNoAnswer = errors.New("firmware: no answer from the board")

// NewClient reads ctl (a link's control stream) until it fails; log lines
// from the board go to logf, which may be nil.
func NewClient(ctl io.ReadWriter, logf func(line string)) *Client {
	c := &Client{ctl: ctl, logf: logf, hello: make(chan Hello, 1), stats: make(chan Stats, 1),
		done: make(chan struct{})}
	go c.readLoop()
	return c
}

func (c *Client) readLoop() {
	defer close(c.done)
	m := messageReader{r: c.ctl}
	for {
		t, body, err := m.next()
		if errors.Is(err, link.ErrPeerReset) {
			m = messageReader{r: c.ctl} // the board restarted: start over
			continue
		}
		if err != nil {
			c.err = err
			return
		}
		switch t {
		case msgHello:
			var h Hello
			if h.UnmarshalBinary(body) == nil {
				offer(c.hello, h)
			}
		case msgStats:
			var s Stats
			if s.UnmarshalBinary(body) == nil {
				offer(c.stats, s)
			}
		case msgLog:
			if c.logf != nil {
				c.logf(string(body))
			}
		}
	}
}

// offer replaces any unclaimed answer with v.
func offer[T any](ch chan T, v T) {
	select {
	case <-ch:
	default:
	}
	ch <- v
}

// Hello asks the board who it is and waits up to timeout.
func (c *Client) Hello(timeout time.Duration) (Hello, error) {
	return request(c, msgHelloRequest, c.hello, timeout)
}

// HelloWithin asks for the hello until the board answers or ctx ends. The
// first requests may wait for the link to come up (a write on the control
// stream blocks until then) and a board still booting answers none, so
// the asking runs apart and ctx alone decides how long to wait; an error
// after ctx ended wraps ErrNoAnswer and ctx's error. Closing the link
// ends the asking.
func (c *Client) HelloWithin(ctx context.Context) (Hello, error) {
	type answer struct {
		h   Hello
		err error
	}
	got := make(chan answer, 1)
	go func() {
		for {
			h, err := c.Hello(time.Second)
			if !errors.Is(err, ErrNoAnswer) || ctx.Err() != nil {
				got <- answer{h, err}
				return
			}
		}
	}()
	select {
	case a := <-got:
		return a.h, a.err
	case <-ctx.Done():
		return Hello{}, errors.Join(ErrNoAnswer, ctx.Err())
	}
}

// Stats asks the board for its statistics and waits up to timeout.
func (c *Client) Stats(timeout time.Duration) (Stats, error) {
	return request(c, msgStatsRequest, c.stats, timeout)
}

// Reset asks the board to restart; the link then sees the board's new
// epoch.
func (c *Client) Reset(mode ResetMode) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.write(appendMessage(nil, msgReset, func(b []byte) []byte { return append(b, byte(mode)) }))
}

// write sends a request. The control stream reports a board restart once,
// to whichever of its Read and Write comes first; a Write that gets it
// sent nothing to the new run (the old run's frames are discarded), so
// the request is sent again, to the board as it now runs.
func (c *Client) write(b []byte) error {
	_, err := c.ctl.Write(b)
	if errors.Is(err, link.ErrPeerReset) {
		_, err = c.ctl.Write(b)
	}
	return err
}

func request[T any](c *Client, t msgType, answers chan T, timeout time.Duration) (T, error) {
	var zero T
	c.mu.Lock()
	defer c.mu.Unlock()
	select { // drop an answer to an earlier request that timed out
	case <-answers:
	default:
	}
	if err := c.write(appendMessage(nil, t, nil)); err != nil {
		return zero, err
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case v := <-answers:
		return v, nil
	case <-c.done:
		return zero, c.err
	case <-timer.C:
		return zero, ErrNoAnswer
	}
}
