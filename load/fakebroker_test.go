package load

import (
	"errors"
	"net"
	"sync"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// fakeBroker is the least MQTT broker a load run needs: it accepts every
// client, grants every subscription, and forwards each PUBLISH to every
// subscriber at the subscriber's QoS. With dropEvery > 0 it acknowledges
// but does not forward every dropEvery-th message, so that tests can check
// that the load tool counts loss exactly. A silent fake never answers at
// all; a swallowing one answers CONNECT and SUBSCRIBE but ignores PUBLISH.
type fakeBroker struct {
	ln        net.Listener
	dropEvery int
	silent    bool
	swallow   bool

	published1 chan struct{} // closed at the first PUBLISH
	once       sync.Once

	mu        sync.Mutex
	conns     []net.Conn
	subs      []*fakeSub
	published int
	wg        sync.WaitGroup
}

type fakeSub struct {
	mu     sync.Mutex
	nc     net.Conn
	qos    packet.QoS
	nextID uint16
	buf    []byte
}

func startFakeBroker(t *testing.T, dropEvery int) *fakeBroker {
	return startFake(t, &fakeBroker{dropEvery: dropEvery})
}

func startFake(t *testing.T, b *fakeBroker) *fakeBroker {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b.ln = ln
	b.published1 = make(chan struct{})
	b.wg.Add(1)
	go b.accept()
	t.Cleanup(func() {
		ln.Close()
		b.mu.Lock()
		for _, nc := range b.conns {
			nc.Close()
		}
		b.mu.Unlock()
		b.wg.Wait()
	})
	return b
}

func (b *fakeBroker) addr() string { return b.ln.Addr().String() }

func (b *fakeBroker) accept() {
	defer b.wg.Done()
	for {
		nc, err := b.ln.Accept()
		if err != nil {
			return
		}
		b.mu.Lock()
		b.conns = append(b.conns, nc)
		b.mu.Unlock()
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			defer nc.Close()
			b.serve(nc)
		}()
	}
}

func (b *fakeBroker) serve(nc net.Conn) {
	r := packet.NewReader(nc, make([]byte, 64<<10))
	var out []byte
	reply := func(p interface{ Append([]byte) ([]byte, error) }) error {
		var err error
		if out, err = p.Append(out[:0]); err != nil {
			return err
		}
		_, err = nc.Write(out)
		return err
	}
	for {
		pk, err := r.ReadPacket()
		if err != nil {
			return
		}
		if b.silent {
			continue
		}
		switch p := pk.(type) {
		case *packet.Connect:
			err = reply(packet.Connack{ReturnCode: packet.Accepted})
		case *packet.Subscribe:
			var codes []byte
			it := p.Iter()
			for f, ok := it.Next(); ok; f, ok = it.Next() {
				codes = append(codes, byte(f.QoS))
			}
			b.mu.Lock()
			b.subs = append(b.subs, &fakeSub{nc: nc, qos: packet.QoS(codes[0])})
			b.mu.Unlock()
			err = reply(packet.Suback{PacketID: p.PacketID, ReturnCodes: codes})
		case *packet.Publish:
			if b.swallow {
				continue
			}
			b.forward(p)
			if p.QoS == 1 {
				err = reply(packet.Puback{PacketID: p.PacketID})
			}
		case *packet.Puback:
		case *packet.Disconnect:
			return
		default:
			err = errors.New("unexpected packet")
		}
		if err != nil {
			return
		}
	}
}

func (b *fakeBroker) forward(p *packet.Publish) {
	b.once.Do(func() { close(b.published1) })
	b.mu.Lock()
	b.published++
	drop := b.dropEvery > 0 && b.published%b.dropEvery == 0
	subs := b.subs
	b.mu.Unlock()
	if drop {
		return
	}
	for _, s := range subs {
		s.mu.Lock()
		m := packet.Publish{QoS: min(p.QoS, s.qos), Topic: p.Topic, Payload: p.Payload}
		if m.QoS > 0 {
			s.nextID = s.nextID%65535 + 1
			m.PacketID = s.nextID
		}
		if buf, err := m.Append(s.buf[:0]); err == nil {
			s.buf = buf
			s.nc.Write(buf)
		}
		s.mu.Unlock()
	}
}
