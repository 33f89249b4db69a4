package packet_test

import (
	"bytes"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

var (
	benchPublish = packet.Publish{QoS: 1, Topic: []byte("sensors/kitchen/temperature"), PacketID: 42,
		Payload: bytes.Repeat([]byte("x"), 64)}
	benchConnect = packet.Connect{ProtocolLevel: 4, CleanSession: true, KeepAlive: 30, ClientID: []byte("board-1234"),
		WillFlag: true, WillQoS: 1, WillTopic: []byte("status/board-1234"), WillMessage: []byte("offline"),
		UsernameFlag: true, Username: []byte("user"), PasswordFlag: true, Password: []byte("secret")}
	benchSubscribe = packet.NewSubscribe(7,
		packet.Filter{Topic: []byte("sensors/+/temperature"), QoS: 1},
		packet.Filter{Topic: []byte("actuators/#"), QoS: 2},
		packet.Filter{Topic: []byte("$SYS/broker/uptime"), QoS: 0},
	)
)

func mustAppend(t testing.TB, p packet.Packet) []byte {
	t.Helper()
	b, err := p.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestZeroAllocs proves that decoding and encoding do not allocate once
// the Decoder and the destination buffer are sized.
func TestZeroAllocs(t *testing.T) {
	for _, p := range []packet.Packet{benchPublish, benchConnect, benchSubscribe} {
		wire := mustAppend(t, p)
		d := &packet.Decoder{MaxPacketSize: 256}
		if n := testing.AllocsPerRun(100, func() {
			if _, _, err := d.Decode(wire); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("Decode %v: %v allocations, want 0", p.Type(), n)
		}
		buf := make([]byte, 0, 256)
		if n := testing.AllocsPerRun(100, func() {
			var err error
			if buf, err = p.Append(buf[:0]); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("Append %v: %v allocations, want 0", p.Type(), n)
		}
		// Through the pointer the Decoder hands out, as a broker forwards it.
		q, _, _ := d.Decode(wire)
		if n := testing.AllocsPerRun(100, func() {
			var err error
			if buf, err = q.Append(buf[:0]); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("Append decoded %v: %v allocations, want 0", p.Type(), n)
		}
	}
}

func TestReaderZeroAllocs(t *testing.T) {
	var stream []byte
	for range 100 {
		stream = append(stream, mustAppend(t, benchPublish)...)
		stream = append(stream, mustAppend(t, benchSubscribe)...)
	}
	src := bytes.NewReader(stream)
	r := packet.NewReader(src, make([]byte, 200))
	r.Decoder = &packet.Decoder{MaxPacketSize: 200}
	if n := testing.AllocsPerRun(100, func() {
		if _, err := r.ReadPacket(); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("ReadPacket: %v allocations, want 0", n)
	}
}

func BenchmarkDecodePublish(b *testing.B) { benchDecode(b, benchPublish) }
func BenchmarkDecodeConnect(b *testing.B) { benchDecode(b, benchConnect) }
func BenchmarkDecodeSubscribe(b *testing.B) {
	benchDecode(b, benchSubscribe)
}

func benchDecode(b *testing.B, p packet.Packet) {
	wire := mustAppend(b, p)
	var d packet.Decoder
	b.SetBytes(int64(len(wire)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := d.Decode(wire); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodePublish(b *testing.B) {
	buf := make([]byte, 0, 256)
	b.SetBytes(int64(benchPublish.Len()))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = benchPublish.Append(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReaderPublish(b *testing.B) {
	wire := mustAppend(b, benchPublish)
	stream := bytes.Repeat(wire, 1000)
	src := bytes.NewReader(stream)
	r := packet.NewReader(src, make([]byte, 4096))
	b.SetBytes(int64(len(wire)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.ReadPacket(); err != nil {
			src.Reset(stream)
			r.Reset(src)
		}
	}
}

// fullSubscribe returns the SUBSCRIBE and UNSUBSCRIBE with the most
// one-byte filters that fit in size bytes (4 and 3 bytes a filter).
func fullSubscribe(t testing.TB, size int) (sub, unsub []byte, nsub, nunsub int) {
	most := func(per int) int {
		n := 0
		for packet.HeaderSize(2+per*(n+1))+2+per*(n+1) <= size {
			n++
		}
		return n
	}
	nsub, nunsub = most(4), most(3)
	filters := make([]packet.Filter, nsub)
	for i := range filters {
		filters[i] = packet.Filter{Topic: []byte{'a' + byte(i%26)}, QoS: 1}
	}
	topics := make([][]byte, nunsub)
	for i := range topics {
		topics[i] = []byte{'a' + byte(i%26)}
	}
	sub, unsub = mustAppend(t, packet.NewSubscribe(1, filters...)), mustAppend(t, packet.NewUnsubscribe(2, topics...))
	if len(sub) > size || len(unsub) > size {
		t.Fatalf("%d filters take %d bytes and %d take %d, more than %d", nsub, len(sub), nunsub, len(unsub), size)
	}
	return sub, unsub, nsub, nunsub
}

// TestIterZeroAllocs decodes and walks the fullest SUBSCRIBE and
// UNSUBSCRIBE a packet size allows, each time with a fresh Decoder (so
// that storage grown once would not hide behind AllocsPerRun's warm-up
// run): it never allocates, however many filters come.
func TestIterZeroAllocs(t *testing.T) {
	const runs = 20
	for _, size := range []int{384, 4368, 65536} {
		sub, unsub, nsub, nunsub := fullSubscribe(t, size)
		fresh := make([]packet.Decoder, 2*(runs+1))
		for i := range fresh {
			fresh[i] = packet.Decoder{MaxPacketSize: size}
		}
		next := 0
		var seen int
		if n := testing.AllocsPerRun(runs, func() {
			p, _, err := fresh[next].Decode(sub)
			next++
			if err != nil {
				t.Fatal(err)
			}
			seen = 0
			it := p.(*packet.Subscribe).Iter()
			for f, ok := it.Next(); ok; f, ok = it.Next() {
				if f.QoS == 1 && len(f.Topic) == 1 {
					seen++
				}
			}
		}); n != 0 {
			t.Errorf("size %d: decoding and walking %d SUBSCRIBE filters: %v allocations, want 0", size, nsub, n)
		}
		if seen != nsub {
			t.Errorf("size %d: walked %d of %d SUBSCRIBE filters", size, seen, nsub)
		}
		if n := testing.AllocsPerRun(runs, func() {
			p, _, err := fresh[next].Decode(unsub)
			next++
			if err != nil {
				t.Fatal(err)
			}
			seen = 0
			it := p.(*packet.Unsubscribe).Iter()
			for f, ok := it.Next(); ok; f, ok = it.Next() {
				if len(f) == 1 {
					seen++
				}
			}
		}); n != 0 {
			t.Errorf("size %d: decoding and walking %d UNSUBSCRIBE filters: %v allocations, want 0", size, nunsub, n)
		}
		if seen != nunsub {
			t.Errorf("size %d: walked %d of %d UNSUBSCRIBE filters", size, seen, nunsub)
		}
		d := &fresh[0]
		// A decoded packet forwards from its Payload.
		p, _, _ := d.Decode(sub)
		buf := make([]byte, 0, size)
		if n := testing.AllocsPerRun(20, func() {
			var err error
			if buf, err = p.Append(buf[:0]); err != nil {
				t.Fatal(err)
			}
		}); n != 0 || !bytes.Equal(buf, sub) {
			t.Errorf("size %d: Append of the decoded SUBSCRIBE: %v allocations, same bytes %v", size, n, bytes.Equal(buf, sub))
		}
		t.Logf("size %d: %d SUBSCRIBE filters, %d UNSUBSCRIBE filters", size, nsub, nunsub)
	}
}
