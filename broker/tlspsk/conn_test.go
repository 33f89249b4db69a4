package tlspsk

import (
	"crypto/rand"
	"errors"
	"io"
	"testing"
	"time"
)

// TestMatrix runs Client against Server over net.Pipe for every key
// exchange mode, cipher suite and group, and moves data both ways.
func TestMatrix(t *testing.T) {
	type kx struct {
		name  string
		mode  KeyExchangeMode
		group Group
	}
	kxs := []kx{
		{"psk_dhe_ke/x25519", KeyExchangePSKDHE, X25519},
		{"psk_dhe_ke/p256", KeyExchangePSKDHE, P256},
		{"psk_ke", KeyExchangePSK, 0},
	}
	for _, k := range kxs {
		for _, s := range DefaultCipherSuites {
			t.Run(k.name+"/"+s.String(), func(t *testing.T) {
				edit := func(c *Config) {
					c.CipherSuites = []CipherSuite{s}
					c.KeyExchangeModes = []KeyExchangeMode{k.mode}
					if k.group != 0 {
						c.Groups = []Group{k.group}
					}
				}
				p := mustHandshake(t, overNetPipe, clientConfig(edit), serverConfig(edit))
				for side, c := range map[string]*Conn{"client": p.client, "server": p.server} {
					st := c.ConnectionState()
					if !st.HandshakeComplete || st.CipherSuite != s || st.KeyExchangeMode != k.mode || st.Group != k.group || st.Identity != "board-7" || st.DidHelloRetryRequest {
						t.Errorf("%s state %+v", side, st)
					}
				}
				exchange(t, p.client, p.server, []byte("PUBLISH from the board"))
				exchange(t, p.server, p.client, pattern(40000)) // several full records
			})
		}
	}
}

// TestCipherSuitePreference: the server's order wins.
func TestCipherSuitePreference(t *testing.T) {
	p := mustHandshake(t, overMem,
		clientConfig(func(c *Config) { c.CipherSuites = []CipherSuite{TLS_AES_128_GCM_SHA256, TLS_AES_128_CCM_8_SHA256} }),
		serverConfig(func(c *Config) { c.CipherSuites = []CipherSuite{TLS_AES_128_CCM_8_SHA256, TLS_AES_128_GCM_SHA256} }))
	if s := p.client.ConnectionState().CipherSuite; s != TLS_AES_128_CCM_8_SHA256 {
		t.Errorf("negotiated %v, want the server's first choice", s)
	}
}

// TestModePreference: with both modes on both sides the server's first
// choice wins, and psk_ke is taken when no group is in common.
func TestModePreference(t *testing.T) {
	both := []KeyExchangeMode{KeyExchangePSKDHE, KeyExchangePSK}
	tests := []struct {
		name        string
		client, svr func(*Config)
		mode        KeyExchangeMode
	}{
		{"server prefers dhe", func(c *Config) { c.KeyExchangeModes = both },
			func(c *Config) { c.KeyExchangeModes = both }, KeyExchangePSKDHE},
		{"server prefers ke", func(c *Config) { c.KeyExchangeModes = both },
			func(c *Config) { c.KeyExchangeModes = []KeyExchangeMode{KeyExchangePSK, KeyExchangePSKDHE} }, KeyExchangePSK},
		{"no common group falls back to psk_ke",
			func(c *Config) { c.KeyExchangeModes = both; c.Groups = []Group{X25519} },
			func(c *Config) { c.KeyExchangeModes = both; c.Groups = []Group{P256} }, KeyExchangePSK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustHandshake(t, overMem, clientConfig(tt.client), serverConfig(tt.svr))
			if m := p.client.ConnectionState().KeyExchangeMode; m != tt.mode {
				t.Errorf("mode %v, want %v", m, tt.mode)
			}
			exchange(t, p.client, p.server, []byte("ping"))
		})
	}
}

// TestHelloRetryRequest: the server takes only P-256, the client sends an
// X25519 share but lists P-256 too.
func TestHelloRetryRequest(t *testing.T) {
	for _, s := range DefaultCipherSuites {
		t.Run(s.String(), func(t *testing.T) {
			p := mustHandshake(t, overNetPipe,
				clientConfig(func(c *Config) { c.Groups = []Group{X25519, P256}; c.CipherSuites = []CipherSuite{s} }),
				serverConfig(func(c *Config) { c.Groups = []Group{P256} }))
			for side, c := range map[string]*Conn{"client": p.client, "server": p.server} {
				st := c.ConnectionState()
				if !st.DidHelloRetryRequest || st.Group != P256 || st.CipherSuite != s {
					t.Errorf("%s state %+v", side, st)
				}
			}
			exchange(t, p.client, p.server, []byte("after retry"))
			exchange(t, p.server, p.client, []byte("and back"))
		})
	}
}

// recordSizes parses the record headers in the bytes a memConn wrote and
// returns the largest record length.
func largestRecord(t *testing.T, data []byte) int {
	t.Helper()
	max := 0
	for len(data) >= headerLen {
		n := int(data[3])<<8 | int(data[4])
		if n > max {
			max = n
		}
		if len(data) < headerLen+n {
			t.Fatalf("truncated record in capture")
		}
		data = data[headerLen+n:]
	}
	return max
}

// capture records everything a memConn writes.
func capture(c *memConn) *[]byte {
	var out []byte
	c.onWrite = func(p []byte) []byte { out = append(out, p...); return p }
	return &out
}

// TestMaxFragmentLength: the client asks, the server echoes and both stay
// within the limit; buffers match BufferBytes.
func TestMaxFragmentLength(t *testing.T) {
	for _, mfl := range []int{512, 1024, 2048, 4096} {
		t.Run(itoa(mfl), func(t *testing.T) {
			var fromServer, fromClient *[]byte
			p := handshake(t, overMem, clientConfig(func(c *Config) { c.MaxFragmentLength = mfl }), serverConfig(),
				func(p *pair) {
					fromServer = capture(p.svrNet.(*memConn))
					fromClient = capture(p.clientNet.(*memConn))
				})
			if p.clientErr != nil || p.svrErr != nil {
				t.Fatalf("handshake: %v / %v", p.clientErr, p.svrErr)
			}
			for side, c := range map[string]*Conn{"client": p.client, "server": p.server} {
				st := c.ConnectionState()
				if st.MaxFragmentLength != mfl || st.SendLimit != mfl || st.ReceiveLimit != mfl {
					t.Errorf("%s state %+v", side, st)
				}
				if got, want := c.BufferBytes(), BufferBytes(mfl); got != want {
					t.Errorf("%s holds %d buffer bytes, want %d", side, got, want)
				}
			}
			exchange(t, p.server, p.client, pattern(3*mfl+17))
			exchange(t, p.client, p.server, pattern(2*mfl+1))
			limit := mfl + 1 + 16
			if got := largestRecord(t, *fromServer); got > limit {
				t.Errorf("server sent a %d-byte record, limit %d", got, limit)
			}
			if got := largestRecord(t, *fromClient); got > limit {
				t.Errorf("client sent a %d-byte record, limit %d", got, limit)
			}
		})
	}
}

// TestRecordSizeLimit: the client offers record_size_limit, the server
// answers with its own and each side sends within the other's limit.
func TestRecordSizeLimit(t *testing.T) {
	var fromServer, fromClient *[]byte
	p := handshake(t, overMem,
		clientConfig(func(c *Config) { c.RecordSizeLimit = 256 }),
		serverConfig(func(c *Config) { c.RecordSizeLimit = 1000 }),
		func(p *pair) {
			fromServer = capture(p.svrNet.(*memConn))
			fromClient = capture(p.clientNet.(*memConn))
		})
	if p.clientErr != nil || p.svrErr != nil {
		t.Fatalf("handshake: %v / %v", p.clientErr, p.svrErr)
	}
	cs, ss := p.client.ConnectionState(), p.server.ConnectionState()
	if cs.PeerRecordSizeLimit != 1000 || ss.PeerRecordSizeLimit != 256 || cs.MaxFragmentLength != 0 {
		t.Errorf("limits: client %+v, server %+v", cs, ss)
	}
	if ss.SendLimit != 255 || cs.ReceiveLimit != 255 || cs.SendLimit != 255 || ss.ReceiveLimit != 999 {
		t.Errorf("send/receive limits: client %+v, server %+v", cs, ss)
	}
	if got, want := p.client.BufferBytes(), BufferBytes(255); got != want {
		t.Errorf("client holds %d buffer bytes, want %d", got, want)
	}
	if got, want := p.server.BufferBytes(), recordBufSize(1000)+recordBufSize(256); got != want {
		t.Errorf("server holds %d buffer bytes, want %d", got, want)
	}
	exchange(t, p.server, p.client, pattern(2000))
	exchange(t, p.client, p.server, pattern(2000))
	if got := largestRecord(t, *fromServer); got > 256+16 {
		t.Errorf("server sent a %d-byte record to a client with limit 256", got)
	}
	if got := largestRecord(t, *fromClient); got > 256+16 {
		t.Errorf("client sent a %d-byte record", got)
	}
}

// TestRecordSizeLimitWinsOverMFL: offered both, the server answers
// record_size_limit only (RFC 8449 section 5).
func TestRecordSizeLimitWinsOverMFL(t *testing.T) {
	p := mustHandshake(t, overMem, clientConfig(func(c *Config) { c.RecordSizeLimit = 600; c.MaxFragmentLength = 512 }), serverConfig())
	cs := p.client.ConnectionState()
	if cs.MaxFragmentLength != 0 || cs.PeerRecordSizeLimit != MaxRecordSizeLimit {
		t.Errorf("client state %+v", cs)
	}
	if ss := p.server.ConnectionState(); ss.SendLimit != 599 || ss.MaxFragmentLength != 0 {
		t.Errorf("server state %+v", ss)
	}
	exchange(t, p.server, p.client, pattern(5000))
}

// TestSmallServer: a server built with a small RecordSizeLimit serves a
// client that asks for small records, and refuses oversized records from
// one that does not.
func TestSmallServer(t *testing.T) {
	small := func(c *Config) { c.RecordSizeLimit = 513 }
	p := mustHandshake(t, overMem, clientConfig(func(c *Config) { c.MaxFragmentLength = 512 }), serverConfig(small))
	exchange(t, p.client, p.server, pattern(4000))
	if got, want := p.server.BufferBytes(), BufferBytes(512); got != want {
		t.Errorf("server holds %d buffer bytes, want %d", got, want)
	}

	p = mustHandshake(t, overMem, clientConfig(), serverConfig(small))
	go p.client.Write(pattern(4000))
	_, err := p.server.Read(make([]byte, 10))
	wantLocal(t, "server", err, ErrRecordOverflow, AlertRecordOverflow)
	_, err = p.client.Read(make([]byte, 10))
	wantRemote(t, "client", err, AlertRecordOverflow)
}

// TestKeyUpdate: either side updates its keys, with and without asking
// the peer to follow; data keeps flowing both ways afterwards.
func TestKeyUpdate(t *testing.T) {
	{
		p := mustHandshake(t, overMem, clientConfig(), serverConfig())
		for round, step := range []struct {
			from, to *Conn
			request  bool
		}{
			{p.client, p.server, true},
			{p.server, p.client, true},
			{p.client, p.server, false},
			{p.server, p.client, false},
		} {
			fromOut, toOut := step.from.out.secret, step.to.out.secret
			// Both ends read while the update runs: over net.Pipe the
			// peer's answering KeyUpdate blocks until it is read.
			readers := readBoth(p, "to server", "to client")
			if err := step.from.UpdateKeys(step.request); err != nil {
				t.Fatalf("round %d: update: %v", round, err)
			}
			writeBoth(t, p, "to server", "to client")
			waitReaders(t, readers)
			// One more round trip makes sure an answering KeyUpdate that
			// followed the data has been read too.
			readers = readBoth(p, "sync", "sync")
			writeBoth(t, p, "sync", "sync")
			waitReaders(t, readers)
			if string(step.from.out.secret) == string(fromOut) {
				t.Errorf("round %d: sender kept its write secret", round)
			}
			if changed := string(step.to.out.secret) != string(toOut); changed != step.request {
				t.Errorf("round %d: peer changed its write secret = %v, requested %v", round, changed, step.request)
			}
			if string(step.from.out.secret) != string(step.to.in.secret) || string(step.to.out.secret) != string(step.from.in.secret) {
				t.Errorf("round %d: read and write secrets do not match across the connection", round)
			}
		}
	}
}

// TestKeyUpdateNetPipe interleaves key updates of both sides with data
// over net.Pipe. Both ends read all the time, as a real application does:
// net.Pipe has no buffer, so an answering KeyUpdate blocks until read.
// Any side that failed to follow a key change would fail to decrypt.
func TestKeyUpdateNetPipe(t *testing.T) {
	p := mustHandshake(t, overNetPipe, clientConfig(), serverConfig())
	toServer, toClient := pump(p.server), pump(p.client)
	for round := range 6 {
		from, to, inbox := p.client, p.server, toServer
		if round%2 == 1 {
			from, to, inbox = p.server, p.client, toClient
		}
		if err := from.UpdateKeys(round < 4); err != nil {
			t.Fatalf("round %d: update: %v", round, err)
		}
		msg := "message " + itoa(round)
		go from.Write([]byte(msg))
		expect(t, inbox, msg)
		reply := "reply " + itoa(round)
		go to.Write([]byte(reply))
		if inbox == toServer {
			expect(t, toClient, reply)
		} else {
			expect(t, toServer, reply)
		}
	}
}

// pump reads c until it fails and delivers what it read.
func pump(c *Conn) chan []byte {
	ch := make(chan []byte, 16)
	go func() {
		defer close(ch)
		for {
			buf := make([]byte, 256)
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			ch <- buf[:n]
		}
	}()
	return ch
}

func expect(t *testing.T, ch chan []byte, want string) {
	t.Helper()
	var got []byte
	for len(got) < len(want) {
		select {
		case b, ok := <-ch:
			if !ok {
				t.Fatalf("connection failed while waiting for %q", want)
			}
			got = append(got, b...)
		case <-time.After(testLimit):
			t.Fatalf("timed out waiting for %q", want)
		}
	}
	if string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// readBoth starts reading the given messages on the server and the
// client.
func readBoth(p *pair, toServer, toClient string) chan error {
	errc := make(chan error, 2)
	read := func(c *Conn, want string) {
		buf := make([]byte, len(want))
		_, err := io.ReadFull(c, buf)
		if err == nil && string(buf) != want {
			err = errors.New("read " + string(buf) + ", want " + want)
		}
		errc <- err
	}
	go read(p.server, toServer)
	go read(p.client, toClient)
	return errc
}

func writeBoth(t *testing.T, p *pair, toServer, toClient string) {
	t.Helper()
	errc := make(chan error, 1)
	go func() { _, err := p.server.Write([]byte(toClient)); errc <- err }()
	if _, err := p.client.Write([]byte(toServer)); err != nil {
		t.Fatalf("client write: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("server write: %v", err)
	}
}

func waitReaders(t *testing.T, errc chan error) {
	t.Helper()
	for range 2 {
		select {
		case err := <-errc:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(testLimit):
			t.Fatal("read did not finish")
		}
	}
}

// TestCloseNotify: Close sends close_notify, which the peer reads as
// io.EOF; CloseWrite half-closes.
func TestCloseNotify(t *testing.T) {
	p := mustHandshake(t, overNetPipe, clientConfig(), serverConfig())
	readErr := make(chan error, 1)
	go func() { _, err := p.server.Read(make([]byte, 1)); readErr <- err }()
	if err := p.client.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := <-readErr; err != io.EOF {
		t.Errorf("server read after close_notify: %v, want io.EOF", err)
	}
	if _, err := p.client.Write([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Errorf("write after Close: %v", err)
	}

	p = mustHandshake(t, overMem, clientConfig(), serverConfig())
	if err := p.client.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.server.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("server read after CloseWrite: %v", err)
	}
	exchange(t, p.server, p.client, []byte("still open this way"))
	if _, err := p.client.Write([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Errorf("client write after CloseWrite: %v", err)
	}
}

// TestCloseBreaksBlockedWrite: Close does not wait for a Write stuck on a
// peer that does not read.
func TestCloseBreaksBlockedWrite(t *testing.T) {
	p := mustHandshake(t, overNetPipe, clientConfig(), serverConfig())
	errc := make(chan error, 1)
	go func() { _, err := p.client.Write(pattern(100000)); errc <- err }()
	for p.client.activeCall.Load() == 0 {
		// Spin until the Write is in flight; it cannot finish because
		// nobody reads the pipe.
		select {
		case err := <-errc:
			t.Fatalf("write returned early: %v", err)
		default:
		}
	}
	if err := p.client.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	select {
	case err := <-errc:
		if err == nil {
			t.Error("blocked write succeeded after Close")
		}
	case <-time.After(testLimit):
		t.Fatal("Close did not break the blocked Write")
	}
}

// TestNoRandomness: where crypto/rand has no source (TinyGo on the
// RP2040), a Config without Rand is refused before the handshake needs
// random bytes; one with Rand is fine.
func TestNoRandomness(t *testing.T) {
	saved := rand.Reader
	rand.Reader = nil
	defer func() { rand.Reader = saved }()
	if err := clientConfig().CheckClient(); !errors.Is(err, ErrConfig) {
		t.Errorf("client without a source of randomness: %v, want ErrConfig", err)
	}
	if err := serverConfig().CheckServer(); !errors.Is(err, ErrConfig) {
		t.Errorf("server without a source of randomness: %v, want ErrConfig", err)
	}
	if err := serverConfig(func(c *Config) { c.Rand = saved }).CheckServer(); err != nil {
		t.Errorf("server with Rand: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name     string
		isClient bool
		cfg      *Config
	}{
		{"nil", true, nil},
		{"client without identity", true, &Config{PSK: PSK{Key: testKey}}},
		{"client without key", true, &Config{PSK: PSK{Identity: "x"}}},
		{"server without PSKs", false, &Config{}},
		{"server PSK without key", false, &Config{PSKs: []PSK{{Identity: "x"}}}},
		{"unknown suite", true, clientConfig(func(c *Config) { c.CipherSuites = []CipherSuite{0x1302} })},
		{"unknown group", true, clientConfig(func(c *Config) { c.Groups = []Group{0x18} })},
		{"unknown mode", true, clientConfig(func(c *Config) { c.KeyExchangeModes = []KeyExchangeMode{2} })},
		{"bad MFL", true, clientConfig(func(c *Config) { c.MaxFragmentLength = 1000 })},
		{"RSL too small", true, clientConfig(func(c *Config) { c.RecordSizeLimit = 63 })},
		{"RSL too large", false, serverConfig(func(c *Config) { c.RecordSizeLimit = MaxRecordSizeLimit + 1 })},
		{"RequireRecordLimit without a limit", true, clientConfig(func(c *Config) { c.RequireRecordLimit = true })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := memPipe()
			defer b.Close()
			var c *Conn
			if tt.isClient {
				c = ClientOver(a, tt.cfg)
			} else {
				c = ServerOver(a, tt.cfg)
			}
			if err := c.Handshake(); !errors.Is(err, ErrConfig) {
				t.Errorf("handshake error %v, want ErrConfig", err)
			}
			check := tt.cfg.CheckServer
			if tt.isClient {
				check = tt.cfg.CheckClient
			}
			if err := check(); !errors.Is(err, ErrConfig) {
				t.Errorf("check before the handshake: %v, want ErrConfig", err)
			}
		})
	}
	if err := clientConfig().CheckClient(); err != nil {
		t.Errorf("CheckClient of a good config: %v", err)
	}
	if err := serverConfig().CheckServer(); err != nil {
		t.Errorf("CheckServer of a good config: %v", err)
	}
}

// TestLookupPSK: identities not in PSKs go to LookupPSK.
func TestLookupPSK(t *testing.T) {
	scfg := &Config{LookupPSK: func(id []byte) ([]byte, bool) {
		if string(id) == "board-7" {
			return testKey, true
		}
		return nil, false
	}}
	p := mustHandshake(t, overMem, clientConfig(), scfg)
	exchange(t, p.client, p.server, []byte("looked up"))
	p = handshake(t, overMem, clientConfig(func(c *Config) { c.PSK.Identity = "board-8" }), scfg)
	wantLocal(t, "server", p.svrErr, ErrUnknownIdentity, AlertDecryptError)
}
