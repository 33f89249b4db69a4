package tlspsk

import "testing"

// ignoreLimits makes p's server parse the ClientHello as a server that
// knows neither record_size_limit nor, with mfl, max_fragment_length: it
// answers nothing and sends records of up to 2^14 bytes.
func ignoreLimits(mfl bool) func(p *pair) {
	return func(p *pair) {
		p.server.hooks = &testHooks{receivedClientHello: func(ch *clientHello) {
			ch.recordSizeLimit = 0
			if mfl {
				ch.mfl = 0
			}
		}}
	}
}

// TestUnansweredRecordLimit: a limit the server does not answer does not
// bind it (RFC 8449 section 4, RFC 6066 section 4), so the client takes
// full-size records, having grown its receive buffer during the
// handshake; the send buffer keeps the size the client asked for.
func TestUnansweredRecordLimit(t *testing.T) {
	tests := []struct {
		name        string
		client      func(*Config)
		ignoreMFL   bool
		mfl         int // negotiated
		recv, send  int // client limits after the handshake
		bufferBytes int
	}{
		{"record_size_limit 512 ignored", func(c *Config) { c.RecordSizeLimit = 512 }, false,
			0, MaxPlaintext, 511, 16406 + 533},
		// The smallest limit, whose 85-byte buffer a ServerHello with a
		// key share would not fit: the client takes it in its hello room.
		{"record_size_limit 64 ignored", func(c *Config) { c.RecordSizeLimit = 64 }, false,
			0, MaxPlaintext, 63, 16406 + 85},
		{"max_fragment_length 512 ignored", func(c *Config) { c.MaxFragmentLength = 512 }, true,
			0, MaxPlaintext, 512, 16406 + 534},
		{"both ignored", func(c *Config) { c.MaxFragmentLength = 512; c.RecordSizeLimit = 1025 }, true,
			0, MaxPlaintext, 1024, 16406 + 1046},
		// The server falls back to max_fragment_length, which binds it:
		// no growth.
		{"record_size_limit ignored, max_fragment_length answered", func(c *Config) { c.MaxFragmentLength = 512; c.RecordSizeLimit = 513 }, false,
			512, 512, 512, BufferBytes(512)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fromServer *[]byte
			both := func(c *Config) { c.KeyExchangeModes = []KeyExchangeMode{KeyExchangePSKDHE, KeyExchangePSK} }
			p := handshake(t, overMem, clientConfig(tt.client), serverConfig(both), ignoreLimits(tt.ignoreMFL),
				func(p *pair) { fromServer = capture(p.svrNet.(*memConn)) })
			if p.clientErr != nil || p.svrErr != nil {
				t.Fatalf("handshake: client %v, server %v", p.clientErr, p.svrErr)
			}
			st := p.client.ConnectionState()
			if st.PeerRecordSizeLimit != 0 || st.MaxFragmentLength != tt.mfl || st.ReceiveLimit != tt.recv || st.SendLimit != tt.send {
				t.Errorf("client state %+v, want receive limit %d, send limit %d, MFL %d", st, tt.recv, tt.send, tt.mfl)
			}
			if got := p.client.BufferBytes(); got != tt.bufferBytes {
				t.Errorf("client holds %d buffer bytes, want %d", got, tt.bufferBytes)
			}
			exchange(t, p.server, p.client, pattern(3*MaxPlaintext+5))
			exchange(t, p.client, p.server, pattern(5000))
			largest := largestRecord(t, *fromServer)
			if want := min(tt.recv, MaxPlaintext) + 1 + 16; largest != want {
				t.Errorf("largest record from the server %d bytes, want %d: the test does not provoke what it claims", largest, want)
			}
			if got := p.client.BufferBytes(); got != tt.bufferBytes {
				t.Errorf("after traffic the client holds %d buffer bytes, want %d", got, tt.bufferBytes)
			}
		})
	}
}

// TestRequireRecordLimit: a client that must not take 16 KiB records
// refuses a server that answers no limit, with handshake_failure, and
// connects to one that answers either.
func TestRequireRecordLimit(t *testing.T) {
	strict := func(c *Config) { c.RecordSizeLimit = 513; c.RequireRecordLimit = true }
	p := handshake(t, overMem, clientConfig(strict), serverConfig(), ignoreLimits(false))
	wantLocal(t, "client", p.clientErr, ErrRecordLimitRefused, AlertHandshakeFailure)
	wantRemote(t, "server", p.svrErr, AlertHandshakeFailure)
	if p.client.BufferBytes() >= BufferBytes(MaxPlaintext)/2 {
		t.Errorf("refusing client grew its buffers to %d bytes", p.client.BufferBytes())
	}

	strictMFL := func(c *Config) { c.MaxFragmentLength = 512; c.RequireRecordLimit = true }
	p = handshake(t, overMem, clientConfig(strictMFL), serverConfig(), ignoreLimits(true))
	wantLocal(t, "client", p.clientErr, ErrRecordLimitRefused, AlertHandshakeFailure)

	for _, tt := range []struct {
		name   string
		client func(*Config)
		setup  func(*pair)
	}{
		{"record_size_limit answered", strict, func(*pair) {}},
		{"max_fragment_length answered", strictMFL, func(*pair) {}},
		{"record_size_limit ignored, max_fragment_length answered", func(c *Config) {
			c.RecordSizeLimit = 513
			c.MaxFragmentLength = 512
			c.RequireRecordLimit = true
		}, ignoreLimits(false)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := handshake(t, overMem, clientConfig(tt.client), serverConfig(), tt.setup)
			if p.clientErr != nil || p.svrErr != nil {
				t.Fatalf("handshake: client %v, server %v", p.clientErr, p.svrErr)
			}
			if st := p.client.ConnectionState(); st.ReceiveLimit > 512 {
				t.Errorf("client receive limit %d", st.ReceiveLimit)
			}
			exchange(t, p.server, p.client, pattern(3000))
		})
	}
}
