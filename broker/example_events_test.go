package broker_test

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// A memStream is a client's bytes in memory, served from events: its Read
// never waits, and send tells the broker when bytes come, as a poller
// tells of a socket.
type memStream struct {
	mu    sync.Mutex
	in    []byte
	out   bytes.Buffer
	armed *broker.EventConn
	ended chan error
}

func (s *memStream) send(p packet.Packet) {
	s.mu.Lock()
	s.in, _ = p.Append(s.in)
	ec := s.armed
	s.armed = nil
	s.mu.Unlock()
	if ec != nil {
		ec.Readable()
	}
}

func (s *memStream) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.in) == 0 {
		return 0, broker.ErrWouldBlock
	}
	n := copy(p, s.in)
	s.in = s.in[n:]
	return n, nil
}

func (s *memStream) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.Write(p)
}

func (s *memStream) WaitRead(ec broker.EventConn) error {
	s.mu.Lock()
	if len(s.in) > 0 {
		s.mu.Unlock()
		ec.Readable()
		return nil
	}
	s.armed = &ec
	s.mu.Unlock()
	return nil
}

func (s *memStream) Close() error    { return nil }
func (s *memStream) Ended(err error) { s.ended <- err }

// ServeEvents serves a stream without a goroutine waiting on it: the
// broker reads when the stream says it has bytes.
func ExampleBroker_ServeEvents() {
	b, err := broker.New(broker.Config{Limits: broker.PicoLimits})
	if err != nil {
		panic(err)
	}
	defer b.Close()

	s := &memStream{ended: make(chan error, 1)}
	if err := b.ServeEvents(s, "192.0.2.7"); err != nil {
		panic(err)
	}
	s.send(packet.Connect{ClientID: []byte("example"), CleanSession: true})
	s.send(packet.Disconnect{})
	fmt.Println("ended:", <-s.ended)
	fmt.Printf("written: % x\n", s.out.Bytes())
	// Output:
	// ended: <nil>
	// written: 20 02 00 00
}
