package tlspsk

import (
	"bytes"
	"io"
	"runtime"
	"testing"
)

func TestBufferBytes(t *testing.T) {
	tests := []struct {
		limit, want int
	}{
		{MaxPlaintext, 32812},
		{4096, 8236},
		{2048, 4140},
		{1024, 2092},
		{512, 1068},
		{63, 170}, // record_size_limit 64, the smallest
		{0, 32812},
	}
	for _, tt := range tests {
		if got := BufferBytes(tt.limit); got != tt.want {
			t.Errorf("BufferBytes(%d) = %d, want %d", tt.limit, got, tt.want)
		}
	}
}

// TestConnBuffersMatchBufferBytes checks the documented figure against
// what connections really allocate, per configuration, after the
// handshake and after traffic in both directions.
func TestConnBuffersMatchBufferBytes(t *testing.T) {
	tests := []struct {
		name          string
		client, svr   func(*Config)
		clientLimit   int
		serverBuffers int
	}{
		{"default", nil, nil, MaxPlaintext, BufferBytes(MaxPlaintext)},
		{"MFL 512", func(c *Config) { c.MaxFragmentLength = 512 }, nil, 512, BufferBytes(512)},
		{"MFL 4096", func(c *Config) { c.MaxFragmentLength = 4096 }, nil, 4096, BufferBytes(4096)},
		{"RSL 1024 both", func(c *Config) { c.RecordSizeLimit = 1024 }, func(c *Config) { c.RecordSizeLimit = 1024 },
			1023, BufferBytes(1023)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ccfg, scfg := clientConfig(), serverConfig()
			if tt.client != nil {
				tt.client(ccfg)
			}
			if tt.svr != nil {
				tt.svr(scfg)
			}
			p := mustHandshake(t, overMem, ccfg, scfg)
			for round := range 2 {
				if got, want := p.client.BufferBytes(), BufferBytes(tt.clientLimit); got != want {
					t.Errorf("round %d: client holds %d buffer bytes, want %d", round, got, want)
				}
				if got := p.server.BufferBytes(); got != tt.serverBuffers {
					t.Errorf("round %d: server holds %d buffer bytes, want %d", round, got, tt.serverBuffers)
				}
				exchange(t, p.client, p.server, pattern(50000))
				exchange(t, p.server, p.client, pattern(50000))
			}
		})
	}
}

// TestHeapPerConnection measures the heap an established connection holds,
// per side, its in-memory transport included, and holds it to its record
// buffers plus a fixed allowance for the Conn, two AEADs and the
// transport.
func TestHeapPerConnection(t *testing.T) {
	const n = 20
	for _, tt := range []struct {
		name  string
		mfl   int
		limit int
	}{{"default", 0, MaxPlaintext}, {"MFL 512", 512, 512}} {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			pairs := make([]*pair, n)
			for i := range pairs {
				pairs[i] = mustHandshake(t, overMem, clientConfig(func(c *Config) { c.MaxFragmentLength = tt.mfl }), serverConfig())
				exchange(t, pairs[i].client, pairs[i].server, []byte("warm up"))
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			perSide := int(after.HeapAlloc-before.HeapAlloc) / (2 * n)
			runtime.KeepAlive(pairs)
			t.Logf("%s: about %d heap bytes per connection side, %d of them record buffers", tt.name, perSide, BufferBytes(tt.limit))
			allowance := 5 << 10
			if tt.limit == MaxPlaintext {
				// Go's allocator rounds a 16406-byte buffer up to its
				// 18432-byte size class.
				allowance += 2 * (18432 - recordBufSize(MaxPlaintext+1))
			}
			if perSide > BufferBytes(tt.limit)+allowance {
				t.Errorf("%d bytes per side, more than buffers + %d", perSide, allowance)
			}
		})
	}
}

// TestAllocsPerRecord: with AES-GCM, sending and receiving application
// data does not allocate.
func TestAllocsPerRecord(t *testing.T) {
	for _, s := range DefaultCipherSuites {
		cs := suiteByID(uint16(s))
		secret := bytes.Repeat([]byte{5}, hashLen)
		w := newConn(readWriter{bytes.NewReader(nil)}, &Config{MaxFragmentLength: 1024}, true)
		w.out.setSecret(cs, secret)
		w.handshakeDone.Store(true)
		msg := pattern(1000)
		writeAllocs := testing.AllocsPerRun(100, func() { w.Write(msg) })

		var stream bytes.Buffer
		sealer := &Conn{}
		sealer.out.setSecret(cs, secret)
		for range 101 {
			rec, _ := sealer.sealRecord(make([]byte, recordBufSize(1001)), recordApplicationData, msg)
			stream.Write(rec)
		}
		r := newConn(readWriter{&stream}, &Config{MaxFragmentLength: 1024}, true)
		r.in.setSecret(cs, secret)
		r.handshakeDone.Store(true)
		buf := make([]byte, len(msg))
		readAllocs := testing.AllocsPerRun(100, func() { io.ReadFull(r, buf) })
		t.Logf("%v: %.0f allocations per Write, %.0f per Read of a 1000-byte record", s, writeAllocs, readAllocs)
		if s == TLS_AES_128_GCM_SHA256 && (writeAllocs != 0 || readAllocs != 0) {
			t.Errorf("%v allocates on the data path: %.0f per Write, %.0f per Read", s, writeAllocs, readAllocs)
		}
		if !bytes.Equal(buf, msg) {
			t.Errorf("%v: read back different data", s)
		}
	}
}
