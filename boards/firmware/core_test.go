package firmware

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/boards/link"
)

// board starts a core with profile over a pipe and returns the host's
// link to it.
func board(t testing.TB, profile *boards.Profile, opts Options) (*Core, *link.Link) {
	t.Helper()
	a, b := net.Pipe()
	if opts.Epoch == 0 {
		opts.Epoch = 0xB0A2D
	}
	core, err := Start(b, profile, opts)
	if err != nil {
		t.Fatal(err)
	}
	cfg := profile.Link
	cfg.Epoch = 0x4057
	host, err := link.New(a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { host.Close(); core.Link.Close() })
	return core, host
}

// exchange writes req and reads exactly len(want) bytes, failing unless
// they are want.
func exchange(t testing.TB, s io.ReadWriter, req, want []byte) {
	t.Helper()
	if len(req) > 0 {
		if _, err := s.Write(req); err != nil {
			t.Fatal(err)
		}
	}
	got := make([]byte, len(want))
	if _, err := io.ReadFull(s, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got % x, want % x", got, want)
	}
}

var (
	connectA  = []byte{0x10, 0x0d, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 1, 'a'}
	connectB  = []byte{0x10, 0x0d, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 1, 'b'}
	connack   = []byte{0x20, 2, 0, 0}
	subscribe = []byte{0x82, 6, 0, 1, 0, 1, 't', 0}
	suback    = []byte{0x90, 3, 0, 1, 0}
	publish   = []byte{0x30, 8, 0, 1, 't', 'h', 'e', 'l', 'l', 'o'}
)

// mqttPair opens a subscriber to "t" and a publisher through the link.
func mqttPair(t testing.TB, host *link.Link) (sub, pub *link.Stream) {
	t.Helper()
	sub, err := host.Open()
	if err != nil {
		t.Fatal(err)
	}
	exchange(t, sub, connectA, connack)
	exchange(t, sub, subscribe, suback)
	pub, err = host.Open()
	if err != nil {
		t.Fatal(err)
	}
	exchange(t, pub, connectB, connack)
	return sub, pub
}

func TestCoreServesMQTTOverTheLink(t *testing.T) {
	for _, p := range boards.Profiles {
		t.Run(p.Name, func(t *testing.T) {
			_, host := board(t, p, Options{})
			sub, pub := mqttPair(t, host)
			exchange(t, pub, publish, nil)
			exchange(t, sub, nil, publish)
			// The broker closing a connection is an EOF on the host.
			if _, err := pub.Write([]byte{0xE0, 0}); err != nil { // DISCONNECT
				t.Fatal(err)
			}
			if n, err := pub.Read(make([]byte, 1)); err != io.EOF {
				t.Fatalf("after DISCONNECT: %d bytes, %v; want EOF", n, err)
			}
		})
	}
}

func TestCoreRoutesWithoutAllocating(t *testing.T) {
	_, host := board(t, &boards.Pico, Options{})
	sub, pub := mqttPair(t, host)
	got := make([]byte, len(publish))
	route := func() {
		if _, err := pub.Write(publish); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(sub, got); err != nil {
			t.Fatal(err)
		}
	}
	route()
	// The Pico profile's rate limit (100/s, burst 20) would hold the
	// publisher back; the measured loop stays inside the burst.
	if n := testing.AllocsPerRun(10, route); n != 0 {
		t.Errorf("%.1f allocations per routed message through link and broker, want 0", n)
	}
}

func TestControlStream(t *testing.T) {
	var reset []ResetMode
	resets := make(chan ResetMode, 1)
	core, host := board(t, &boards.ESP32C3, Options{Version: "1.2.3", BuildID: "abc123", Platform: "go twin",
		Reset: func(m ResetMode) { resets <- m }})
	logs := make(chan string, 4)
	c := NewClient(host.Control(), func(line string) { logs <- line })

	h, err := c.Hello(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := core.Hello()
	if h != want {
		t.Errorf("hello = %+v, want %+v", h, want)
	}
	if h.Board != "esp32c3" || h.BuildID != "abc123" || h.Platform != "go twin" || h.MaxSessions != uint64(boards.ESP32C3.Limits.MaxSessions) || h.StateBytes == 0 {
		t.Errorf("hello = %+v", h)
	}

	sub, pub := mqttPair(t, host)
	exchange(t, pub, publish, nil)
	exchange(t, sub, nil, publish)
	st, err := c.Stats(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if st.Connections != 2 || st.MessagesIn != 1 || st.MessagesOut != 1 || st.HeapInUse == 0 || st.Mallocs == 0 {
		t.Errorf("stats = %+v", st)
	}

	core.Log("hello from the board")
	select {
	case line := <-logs:
		if line != "hello from the board" {
			t.Errorf("log line %q", line)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no log line within 5 s")
	}

	if err := c.Reset(Bootloader); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-resets:
		reset = append(reset, m)
	case <-time.After(5 * time.Second):
		t.Fatal("no reset within 5 s")
	}
	if reset[0] != Bootloader {
		t.Errorf("reset mode %d, want Bootloader", reset[0])
	}
}

func TestControlMessagesRoundTrip(t *testing.T) {
	in := Stats{UptimeMillis: 1, HeapInUse: 2, Mallocs: 3, LinkPeerResets: 4, LogsDropped: 5}
	b, _ := in.AppendBinary(nil)
	var out Stats
	if err := out.UnmarshalBinary(b); err != nil || out != in {
		t.Errorf("stats round trip: %+v %v", out, err)
	}
	// Unknown fields are skipped; a field running past the end is an error.
	if err := out.UnmarshalBinary(append([]byte{200, 1, 9}, b...)); err != nil || out != in {
		t.Errorf("unknown field: %+v %v", out, err)
	}
	if err := out.UnmarshalBinary([]byte{1, 8, 0}); err != ErrMessage {
		t.Errorf("short field: %v, want ErrMessage", err)
	}
}

// TestHelloPlatformCompatible checks Hello.Platform (field id 5) across
// versions: a hello without it reads as "", and a decoder that predates it
// skips it and keeps the other fields.
func TestHelloPlatformCompatible(t *testing.T) {
	in := Hello{Board: "pico", Chip: "RP2040", Version: "v1", BuildID: "b", Platform: "go twin",
		MaxSessions: 4, LinkBytes: 9}
	b, _ := in.AppendBinary(nil)
	var out Hello
	if err := out.UnmarshalBinary(b); err != nil || out != in {
		t.Fatalf("hello round trip: %+v %v, want %+v", out, err, in)
	}

	// An older firmware's hello: the same fields less id 5.
	var old []byte
	if err := walkFields(b, func(id uint8, v []byte) {
		if id != 5 {
			old = append(append(old, id, uint8(len(v))), v...)
		}
	}); err != nil {
		t.Fatal(err)
	}
	out = Hello{}
	want := in
	want.Platform = ""
	if err := out.UnmarshalBinary(old); err != nil || out != want {
		t.Errorf("hello without Platform: %+v %v, want %+v", out, err, want)
	}

	// An older host's decoder: strings 1 to 4 and the numbers only. Ids
	// it does not know reach setNum, which ignores them; a Platform of 8
	// bytes (the length of a number) is tried too.
	for _, p := range []string{"", "tinygo", "go twin!", "go twin standing in for an emulator"} {
		in.Platform = p
		b, _ := in.AppendBinary(nil)
		var got Hello
		err := walkFields(b, func(id uint8, v []byte) {
			if strs := helloStrs(&got); id >= 1 && id <= 4 {
				*strs[id-1] = string(v)
				return
			}
			setNum(&got, helloNums, id, v)
		})
		want := in
		want.Platform = ""
		if err != nil || got != want {
			t.Errorf("platform %q through an old decoder: %+v %v, want %+v", p, got, err, want)
		}
	}
}

// xorStream is a toy transport: every byte crosses it XORed with a key,
// so that a broker serving the raw stream instead of the wrapper would
// read nonsense.
type xorStream struct {
	io.ReadWriteCloser
	key byte
}

func (x xorStream) Read(p []byte) (int, error) {
	n, err := x.ReadWriteCloser.Read(p)
	for i := range p[:n] {
		p[i] ^= x.key
	}
	return n, err
}

func (x xorStream) Write(p []byte) (int, error) {
	return x.ReadWriteCloser.Write(xor(p, x.key))
}

func xor(p []byte, key byte) []byte {
	q := make([]byte, len(p))
	for i, b := range p {
		q[i] = b ^ key
	}
	return q
}

// TestStreamsHook checks that Options.Streams stands between every stream
// and the broker, once per stream, and that the hello announces
// Options.PSKIdentity.
func TestStreamsHook(t *testing.T) {
	const key = 0x5A
	wrapped := make(chan io.ReadWriteCloser, 4)
	core, host := board(t, &boards.Pico, Options{PSKIdentity: "board-7",
		Streams: func(s io.ReadWriteCloser) io.ReadWriteCloser {
			wrapped <- s
			return xorStream{s, key}
		}})
	open := func(connect []byte) *link.Stream {
		t.Helper()
		s, err := host.Open()
		if err != nil {
			t.Fatal(err)
		}
		exchange(t, s, xor(connect, key), xor(connack, key))
		return s
	}
	sub := open(connectA)
	exchange(t, sub, xor(subscribe, key), xor(suback, key))
	pub := open(connectB)
	exchange(t, pub, xor(publish, key), nil)
	exchange(t, sub, nil, xor(publish, key))

	if len(wrapped) != 2 {
		t.Fatalf("Streams called %d times for 2 streams", len(wrapped))
	}
	if a, b := <-wrapped, <-wrapped; a == b {
		t.Error("Streams got the same stream twice")
	}
	if st := core.Broker.Stats(); st.Connections != 2 {
		t.Errorf("broker connections %d, want 2", st.Connections)
	}
	if h := core.Hello(); h.PSKIdentity != "board-7" {
		t.Errorf("hello PSKIdentity %q, want board-7", h.PSKIdentity)
	}
}

// TestHelloPSKIdentityCompatible checks Hello.PSKIdentity (field id 6):
// it round-trips, and a decoder that predates it (strings 1 to 5) keeps
// every other field.
func TestHelloPSKIdentityCompatible(t *testing.T) {
	for _, id := range []string{"", "board-7", "8 bytes!", "gatomqtt-twin-0123456789abcdef"} {
		in := Hello{Board: "esp32c3", Platform: "go twin", PSKIdentity: id, MaxPacketSize: 640, LinkBytes: 9}
		b, _ := in.AppendBinary(nil)
		var out Hello
		if err := out.UnmarshalBinary(b); err != nil || out != in {
			t.Errorf("round trip of %q: %+v %v", id, out, err)
		}
		var old Hello
		err := walkFields(b, func(fid uint8, v []byte) {
			if strs := helloStrs(&old); fid >= 1 && fid <= 5 {
				*strs[fid-1] = string(v)
				return
			}
			setNum(&old, helloNums, fid, v)
		})
		want := in
		want.PSKIdentity = ""
		if err != nil || old != want {
			t.Errorf("identity %q through an old decoder: %+v %v, want %+v", id, old, err, want)
		}
	}
}
