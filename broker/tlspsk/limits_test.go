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
// data does not allocate. The CCM suites run on pion's ccm package, which
// allocates inside Seal and Open (doc.go records the figures); their
// bounds are the counts measured, so that a regression fails.
func TestAllocsPerRecord(t *testing.T) {
	tests := []struct {
		suite             CipherSuite
		maxWrite, maxRead float64
	}{
		{TLS_AES_128_GCM_SHA256, 0, 0},
		{TLS_AES_128_CCM_SHA256, 4, 5},
		{TLS_AES_128_CCM_8_SHA256, 4, 5},
	}
	for _, tt := range tests {
		cs := suiteByID(uint16(tt.suite))
		secret := bytes.Repeat([]byte{5}, hashLen)
		w := newConn(readWriter{bytes.NewReader(nil)}, &Config{MaxFragmentLength: 1024}, true)
		w.out.setSecret(cs, secret)
		w.handshakeDone.Store(true)
		msg := pattern(1000)
		write := func() { w.Write(msg) }
		writeAllocs := testing.AllocsPerRun(100, write)
		writeBytes := bytesPerRun(100, write)

		var stream bytes.Buffer
		sealer := &Conn{}
		sealer.out.setSecret(cs, secret)
		for range 202 {
			rec, _ := sealer.sealRecord(make([]byte, recordBufSize(1001)), recordApplicationData, msg)
			stream.Write(rec)
		}
		r := newConn(readWriter{&stream}, &Config{MaxFragmentLength: 1024}, true)
		r.in.setSecret(cs, secret)
		r.handshakeDone.Store(true)
		buf := make([]byte, len(msg))
		read := func() { io.ReadFull(r, buf) }
		readAllocs := testing.AllocsPerRun(100, read)
		if !bytes.Equal(buf, msg) {
			t.Errorf("%v: read back different data", tt.suite)
		}
		readBytes := bytesPerRun(100, read)
		t.Logf("%v, 1000-byte records: %.0f allocations (%d bytes) per Write, %.0f (%d bytes) per Read",
			tt.suite, writeAllocs, writeBytes, readAllocs, readBytes)
		if writeAllocs > tt.maxWrite || readAllocs > tt.maxRead {
			t.Errorf("%v allocates %.0f times per Write and %.0f per Read, want at most %.0f and %.0f",
				tt.suite, writeAllocs, readAllocs, tt.maxWrite, tt.maxRead)
		}
	}
}

// bytesPerRun is the heap each call of f allocates, on average over runs.
func bytesPerRun(runs int, f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(runs)
}
