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
	benchSubscribe = packet.Subscribe{PacketID: 7, Filters: []packet.Filter{
		{Topic: []byte("sensors/+/temperature"), QoS: 1},
		{Topic: []byte("actuators/#"), QoS: 2},
		{Topic: []byte("$SYS/broker/uptime"), QoS: 0},
	}}
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
		d := packet.NewDecoder(256, 4)
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
	r.Decoder = packet.NewDecoder(200, 4)
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
	d := packet.NewDecoder(0, 8)
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
