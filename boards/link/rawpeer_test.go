package link

import (
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"
)

// rawPeer speaks the link protocol frame by frame, so tests can send what
// a correct peer never would.
type rawPeer struct {
	t      testing.TB
	conn   net.Conn
	link   *Link
	frames chan []byte // decoded frames from the link, CRC checked and removed
	epoch  uint32
	seq    uint8
}

// newRawPeer starts a link against a raw peer and synchronises them.
func newRawPeer(t testing.TB, cfg Config) *rawPeer {
	t.Helper()
	a, b := net.Pipe()
	if cfg.Epoch == 0 {
		cfg.Epoch = 0x1111
	}
	l, err := New(a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := &rawPeer{t: t, conn: b, link: l, frames: make(chan []byte, 1024), epoch: 0x2222}
	t.Cleanup(func() { l.Close(); b.Close() })
	go p.readLoop()
	p.sync(p.epoch)
	return p
}

func (p *rawPeer) readLoop() {
	buf := make([]byte, 4096)
	var acc []byte
	for {
		n, err := p.conn.Read(buf)
		for _, c := range buf[:n] {
			if c != 0 {
				acc = append(acc, c)
				continue
			}
			if dec, ok := cobsDecode(acc); ok {
				if f, err := openFrame(dec); err == nil {
					p.frames <- append([]byte(nil), f...)
				}
			}
			acc = acc[:0]
		}
		if err != nil {
			close(p.frames)
			return
		}
	}
}

// sync runs the handshake as a peer whose run is epoch and waits until
// the link is up.
func (p *rawPeer) sync(epoch uint32) {
	p.t.Helper()
	p.epoch, p.seq = epoch, 0
	params := syncParams{epoch: epoch, version: protocolVersion, window: 8, maxPayload: 64, streams: 4, streamBuffer: 256}
	p.sendSync(params)
	f := p.expect(kindSync, func(f []byte) bool {
		var q syncParams
		return q.parse(f[headerLen:]) && q.peerEpoch == epoch
	})
	var q syncParams
	q.parse(f[headerLen:])
	params.peerEpoch, params.up = q.epoch, true
	p.sendSync(params)
	p.eventually("link up", p.link.Up)
}

func (p *rawPeer) sendSync(params syncParams) {
	h := header(kindSync, 0, 0)
	p.writeFrame(params.append(h[:]))
}

// send sends a sequenced frame with the next sequence number.
func (p *rawPeer) send(k kind, ch uint8, body []byte) {
	p.sendSeq(k, ch, p.seq, body)
	p.seq++
}

func (p *rawPeer) sendSeq(k kind, ch, seq uint8, body []byte) {
	h := header(k, ch, seq)
	p.writeFrame(append(h[:], body...))
}

func (p *rawPeer) writeFrame(f []byte) {
	p.writeRaw(append(cobsEncode(nil, sealFrame(f)), 0))
}

func (p *rawPeer) writeRaw(b []byte) {
	p.t.Helper()
	if _, err := p.conn.Write(b); err != nil {
		p.t.Fatal(err)
	}
}

// ack acknowledges every frame of the link before next.
func (p *rawPeer) ack(next uint8) {
	h := header(kindAck, 0, next)
	p.writeFrame(append(h[:], 0, 0, 0, 0))
}

func (p *rawPeer) credit(ch uint8, n int) {
	p.send(kindCredit, ch, binary.LittleEndian.AppendUint16(nil, uint16(n)))
}

// expect waits up to 5 s for a frame of kind k that match accepts,
// skipping others, and fails the test without one.
func (p *rawPeer) expect(k kind, match func([]byte) bool) []byte {
	p.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case f, ok := <-p.frames:
			if !ok {
				p.t.Fatalf("line closed while waiting for a frame of kind %d", k)
			}
			if frameKind(f) == k && (match == nil || match(f)) {
				return f
			}
		case <-timeout:
			p.t.Fatalf("no frame of kind %d within 5 s", k)
		}
	}
}

func (p *rawPeer) eventually(what string, cond func() bool) {
	p.t.Helper()
	eventually(p.t, what, cond)
}

// eventually polls cond for up to 5 s.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 5 s: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// readN reads exactly n bytes from s with a bound.
func readN(t testing.TB, s io.Reader, n int) ([]byte, error) {
	t.Helper()
	type result struct {
		b   []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		b := make([]byte, n)
		_, err := io.ReadFull(s, b)
		ch <- result{b, err}
	}()
	select {
	case r := <-ch:
		return r.b, r.err
	case <-time.After(5 * time.Second):
		t.Fatalf("no %d bytes within 5 s", n)
		return nil, nil
	}
}

func timeAfter5s() <-chan time.Time { return time.After(5 * time.Second) }
