package link

import (
	"bytes"
	"testing"
)

// FuzzReceive feeds a synchronised link arbitrary line bytes. Each input
// is read twice: as raw line bytes (COBS, CRC and resynchronisation) and,
// cut at zero bytes, as frame bodies sealed with a correct CRC (so the
// fuzzer reaches the protocol itself). The link must not panic and must keep
// its invariants.
func FuzzReceive(f *testing.F) {
	h := header(kindData, 1, 0)
	f.Add(append(h[:], "hello"...))
	f.Add([]byte{byte(kindOpen) << 5, 0, 0, byte(kindData)<<5 | 1, 1, 'x'})
	f.Add([]byte{byte(kindAck) << 5, 3, 1, 0, 0, 0})
	f.Add([]byte{byte(kindCredit)<<5 | 1, 0, 0xFF, 0xFF})
	f.Add(bytes.Repeat([]byte{0xC0, 0}, 40))
	f.Fuzz(func(t *testing.T, in []byte) {
		p := newRawPeer(t, testConfig)
		l := p.link
		l.mu.Lock()
		for _, frame := range bytes.Split(in, []byte{0}) {
			if len(frame) > 0 {
				enc := cobsEncode(nil, frame)
				l.receive(enc)
				enc = cobsEncode(nil, sealFrame(frame))
				l.receive(enc)
			}
		}
		if l.send.used() > l.send.window {
			t.Fatalf("send window holds %d frames, more than %d", l.send.used(), l.send.window)
		}
		for i := range l.recs {
			if s := &l.recs[i]; s.n > len(s.buf) || s.n < 0 {
				t.Fatalf("stream %d buffers %d bytes in %d", i, s.n, len(s.buf))
			}
		}
		l.mu.Unlock()
	})
}
