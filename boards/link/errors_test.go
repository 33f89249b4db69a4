package link

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"
)

// openedStream has the raw peer open channel 1 and returns the stream the
// link accepted.
func openedStream(t *testing.T, p *rawPeer) *Stream {
	t.Helper()
	p.send(kindOpen, 1, nil)
	s, err := p.link.Accept()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDroppedFrames feeds the receiver frames it must drop, each followed
// by a good DATA frame that must still arrive: the receiver is back in
// step after every kind of garbage.
func TestDroppedFrames(t *testing.T) {
	tests := []struct {
		name    string
		send    func(p *rawPeer)
		counter func(Stats) uint64
	}{
		{"bad CRC", func(p *rawPeer) {
			h := header(kindData, 1, p.seq)
			enc := sealFrame(append(h[:], "xx"...))
			enc[len(enc)-1] ^= 0x55
			p.writeRaw(append(cobsEncode(nil, enc), 0))
		}, func(s Stats) uint64 { return s.BadCRC }},
		{"truncated frame", func(p *rawPeer) {
			p.writeRaw(append(cobsEncode(nil, []byte{1, 2, 3}), 0))
		}, func(s Stats) uint64 { return s.Malformed }},
		{"bad COBS", func(p *rawPeer) {
			p.writeRaw([]byte{9, 1, 2, 0})
		}, func(s Stats) uint64 { return s.Malformed }},
		{"run longer than a frame", func(p *rawPeer) {
			p.writeRaw(append(bytes.Repeat([]byte{7}, 500), 0))
		}, func(s Stats) uint64 { return s.Oversized }},
		{"window overflow", func(p *rawPeer) {
			p.sendSeq(kindData, 1, p.seq+8, []byte("far"))
		}, func(s Stats) uint64 { return s.WindowOverflows }},
		{"duplicate", func(p *rawPeer) {
			p.sendSeq(kindData, 1, p.seq-1, []byte("again"))
		}, func(s Stats) uint64 { return s.Duplicates }},
		{"ACK beyond what was sent", func(p *rawPeer) {
			h := header(kindAck, 0, p.link.send.next+5)
			p.writeFrame(append(h[:], 0, 0, 0, 0))
		}, func(s Stats) uint64 { return s.BadAcks }},
		{"unknown kind", func(p *rawPeer) {
			p.writeFrame([]byte{7 << 5, 0})
		}, func(s Stats) uint64 { return s.Malformed }},
		{"credit of the wrong size", func(p *rawPeer) {
			p.send(kindCredit, 1, []byte{1})
		}, func(s Stats) uint64 { return s.Malformed }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newRawPeer(t, testConfig)
			s := openedStream(t, p)
			p.send(kindData, 1, []byte("before"))
			if b, err := readN(t, s, 6); err != nil || string(b) != "before" {
				t.Fatalf("before: %q %v", b, err)
			}
			before := tt.counter(p.link.Stats())
			tt.send(p)
			p.send(kindData, 1, []byte("after"))
			if b, err := readN(t, s, 5); err != nil || string(b) != "after" {
				t.Fatalf("after: %q %v", b, err)
			}
			if got := tt.counter(p.link.Stats()); got != before+1 {
				t.Errorf("counter went from %d to %d, want +1", before, got)
			}
		})
	}
}

func TestUnknownChannelIsReset(t *testing.T) {
	p := newRawPeer(t, testConfig)
	p.send(kindData, 3, []byte("nobody"))
	p.expect(kindReset, func(f []byte) bool { return frameChannel(f) == 3 })
	if got := p.link.Stats().UnknownChannel; got != 1 {
		t.Errorf("UnknownChannel = %d, want 1", got)
	}
	// A RESET for an unknown channel is counted but never answered, so two
	// sides cannot reset each other forever.
	p.send(kindReset, 3, nil)
	p.eventually("second unknown counted", func() bool { return p.link.Stats().UnknownChannel == 2 })
	p.send(kindData, 3, []byte("again"))
	p.expect(kindReset, func(f []byte) bool { return frameChannel(f) == 3 })
}

func TestCreditOverrunResetsStream(t *testing.T) {
	p := newRawPeer(t, testConfig)
	s := openedStream(t, p)
	chunk := bytes.Repeat([]byte{'x'}, 64)
	for i := 0; i < testConfig.StreamBuffer/len(chunk)+1; i++ {
		p.send(kindData, 1, chunk)
	}
	p.expect(kindReset, func(f []byte) bool { return frameChannel(f) == 1 })
	if _, err := s.Read(make([]byte, 10)); !errors.Is(err, ErrReset) {
		t.Errorf("Read after overrun: %v, want ErrReset", err)
	}
	if got := p.link.Stats().CreditOverruns; got != 1 {
		t.Errorf("CreditOverruns = %d, want 1", got)
	}
}

func TestCreditIsReturnedAsTheReaderReads(t *testing.T) {
	p := newRawPeer(t, testConfig)
	s := openedStream(t, p)
	chunk := bytes.Repeat([]byte{'y'}, 64)
	for i := 0; i < testConfig.StreamBuffer/len(chunk); i++ {
		p.send(kindData, 1, chunk)
	}
	if _, err := readN(t, s, testConfig.StreamBuffer); err != nil {
		t.Fatal(err)
	}
	total := 0
	for total < testConfig.StreamBuffer {
		f := p.expect(kindCredit, nil)
		total += int(f[2]) | int(f[3])<<8
	}
	// The whole buffer is free again: another full buffer is no overrun.
	for i := 0; i < testConfig.StreamBuffer/len(chunk); i++ {
		p.send(kindData, 1, chunk)
	}
	if _, err := readN(t, s, testConfig.StreamBuffer); err != nil {
		t.Fatal(err)
	}
	if got := p.link.Stats().CreditOverruns; got != 0 {
		t.Errorf("CreditOverruns = %d, want 0", got)
	}
}

func TestWriteWaitsForCredit(t *testing.T) {
	p := newRawPeer(t, testConfig)
	s := openedStream(t, p)
	done := make(chan error, 1)
	go func() {
		_, err := s.Write(make([]byte, 300)) // the peer announced 256 bytes
		done <- err
	}()
	got := 0
	for got < 256 {
		f := p.expect(kindData, nil)
		got += len(f) - headerLen
		p.ack(f[1] + 1)
	}
	select {
	case err := <-done:
		t.Fatalf("Write returned (%v) beyond the peer's credit", err)
	default:
	}
	p.credit(1, 64)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for got < 300 {
		f := p.expect(kindData, nil)
		got += len(f) - headerLen
		p.ack(f[1] + 1)
	}
	if got != 300 {
		t.Errorf("the link sent %d bytes of a 300-byte Write", got)
	}
}

func TestRefusedOpen(t *testing.T) {
	cfg := testConfig
	cfg.Streams = 1
	p := newRawPeer(t, cfg)
	p.send(kindOpen, 1, nil)
	p.send(kindOpen, 2, nil) // beyond Streams
	p.expect(kindReset, func(f []byte) bool { return frameChannel(f) == 2 })
	if got := p.link.Stats().Refused; got != 1 {
		t.Errorf("Refused = %d, want 1", got)
	}
}

func TestPeerRestartResetsStreams(t *testing.T) {
	p := newRawPeer(t, testConfig)
	s := openedStream(t, p)
	p.send(kindData, 0, []byte("hi"))
	if b, err := readN(t, p.link.Control(), 2); err != nil || string(b) != "hi" {
		t.Fatalf("control: %q %v", b, err)
	}
	p.sync(0x3333)
	if _, err := s.Read(make([]byte, 1)); !errors.Is(err, ErrPeerReset) {
		t.Errorf("stream Read: %v, want ErrPeerReset", err)
	}
	if _, err := s.Write([]byte("x")); !errors.Is(err, ErrPeerReset) {
		t.Errorf("stream Write: %v, want ErrPeerReset", err)
	}
	ctl := p.link.Control()
	if _, err := ctl.Read(make([]byte, 1)); !errors.Is(err, ErrPeerReset) {
		t.Errorf("control Read: %v, want ErrPeerReset once", err)
	}
	p.send(kindData, 0, []byte("ok"))
	if b, err := readN(t, ctl, 2); err != nil || string(b) != "ok" {
		t.Fatalf("control after restart: %q %v", b, err)
	}
	if got := p.link.Stats().PeerResets; got != 1 {
		t.Errorf("PeerResets = %d, want 1", got)
	}
	s.Close()
	// The channel is free again for the new run.
	s2 := openedStream(t, p)
	p.send(kindData, 1, []byte("new"))
	if b, err := readN(t, s2, 3); err != nil || string(b) != "new" {
		t.Fatalf("new stream: %q %v", b, err)
	}
}

func TestVersionMismatchStopsLink(t *testing.T) {
	p := newRawPeer(t, testConfig)
	params := syncParams{epoch: 0x4444, version: protocolVersion + 1, window: 8, maxPayload: 64, streams: 4, streamBuffer: 256}
	p.sendSync(params)
	select {
	case <-p.link.Done():
	case <-timeAfter5s():
		t.Fatal("link still running after a SYNC of another version")
	}
	if err := p.link.Err(); !errors.Is(err, ErrVersion) {
		t.Errorf("Err = %v, want ErrVersion", err)
	}
}

func TestCloseIsEOFForThePeer(t *testing.T) {
	p := newRawPeer(t, testConfig)
	s := openedStream(t, p)
	if _, err := s.Write([]byte("bye")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	p.expect(kindClose, func(f []byte) bool { return frameChannel(f) == 1 })
	// Data after our close is answered with a reset.
	p.send(kindData, 1, []byte("late"))
	p.expect(kindReset, func(f []byte) bool { return frameChannel(f) == 1 })
	p.send(kindClose, 1, nil)
	p.eventually("channel freed", func() bool {
		p.link.mu.Lock()
		defer p.link.mu.Unlock()
		return p.link.chans[1] < 0 && !p.link.recs[s.rec].inUse
	})
}

// TestControlWriteWaitsThroughPeerRestart writes on the control stream
// while the link resynchronises with a restarted peer: the Write waits
// for the link to come up again instead of failing, as it does before the
// first synchronisation, so a host can ask a board that just rebooted.
func TestControlWriteWaitsThroughPeerRestart(t *testing.T) {
	p := newRawPeer(t, testConfig)
	params := syncParams{epoch: 0x5555, version: protocolVersion, window: 8, maxPayload: 64, streams: 4, streamBuffer: 256}
	p.sendSync(params) // a new run, not yet synchronised
	p.eventually("restart seen", func() bool { return p.link.Stats().PeerResets == 1 })
	ctl := p.link.Control()
	if _, err := ctl.Write([]byte("x")); !errors.Is(err, ErrPeerReset) {
		t.Fatalf("first control Write after the restart: %v, want ErrPeerReset once", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := ctl.Write([]byte("hi"))
		done <- err
	}()
	p.sync(0x5555)
	p.expect(kindData, func(f []byte) bool { return frameChannel(f) == 0 && string(f[headerLen:]) == "hi" })
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("control Write: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("control Write still blocked with the link up")
	}
}

// TestLateResetMissesTheNextStream: the board may reset a stream's channel
// after both ends have closed it (it answers bytes that crossed its own
// CLOSE), and the RESET can reach the host after the host opened its next
// stream. That stream must not take it for its own: Open takes channels
// in turn, so the late RESET finds a free channel and is ignored.
func TestLateResetMissesTheNextStream(t *testing.T) {
	p := newRawPeer(t, testConfig)
	// got expects a frame and acknowledges it, so that the window never
	// fills.
	got := func(k kind, match func([]byte) bool) []byte {
		t.Helper()
		f := p.expect(k, match)
		p.ack(f[1] + 1)
		return f
	}
	s, err := p.link.Open()
	if err != nil {
		t.Fatal(err)
	}
	ch := frameChannel(got(kindOpen, nil))
	p.send(kindClose, ch, nil) // the board closes first
	if n, err := s.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("Read after the board's CLOSE: %d, %v; want EOF", n, err)
	}
	s.Close()
	got(kindClose, func(f []byte) bool { return frameChannel(f) == ch })

	for i := range testConfig.Streams {
		next, err := p.link.Open()
		if err != nil {
			t.Fatal(err)
		}
		ch2 := frameChannel(got(kindOpen, nil))
		if i == 0 {
			if ch2 == ch {
				t.Fatalf("channel %d reused by the very next stream", ch)
			}
			p.send(kindReset, ch, nil) // late, for the first stream
			p.eventually("late RESET ignored", func() bool { return p.link.Stats().UnknownChannel == 1 })
			p.credit(ch2, 16)
			if _, err := next.Write([]byte("alive")); err != nil {
				t.Fatalf("the next stream after a late RESET: %v", err)
			}
		}
		// Close it at both ends, as the first, so that the channels cycle.
		p.send(kindClose, ch2, nil)
		next.Close()
		got(kindClose, func(f []byte) bool { return frameChannel(f) == ch2 })
		if i == testConfig.Streams-1 && ch2 != ch {
			t.Errorf("after a whole cycle, stream on channel %d; want %d again", ch2, ch)
		}
	}
}
