package tlspsk

import "testing"

// TestSmallestRecordSizeLimit: record_size_limit binds protected records
// only (RFC 8449 section 4), so a side advertising the smallest limit, 64,
// still takes a ServerHello with a key share, a HelloRetryRequest or a
// ClientHello larger than that in one unprotected record, then holds
// buffers for 64-byte records.
func TestSmallestRecordSizeLimit(t *testing.T) {
	rsl64 := func(c *Config) { c.RecordSizeLimit = MinRecordSizeLimit }
	groups := func(g ...Group) func(*Config) { return func(c *Config) { c.Groups = g } }
	tests := []struct {
		name         string
		client, svr  []func(*Config)
		group        Group
		hrr          bool
		clientBuffer int // after the handshake
		serverBuffer int
		setup        func(*pair)
	}{
		{"client, X25519", []func(*Config){rsl64, groups(X25519)}, nil, X25519, false,
			BufferBytes(63), recordBufSize(MaxRecordSizeLimit) + recordBufSize(64), nil},
		{"client, P-256", []func(*Config){rsl64, groups(P256)}, nil, P256, false,
			BufferBytes(63), recordBufSize(MaxRecordSizeLimit) + recordBufSize(64), nil},
		{"client, retry to P-256", []func(*Config){rsl64, groups(X25519, P256)}, []func(*Config){groups(P256)}, P256, true,
			BufferBytes(63), recordBufSize(MaxRecordSizeLimit) + recordBufSize(64), nil},
		{"both, P-256", []func(*Config){rsl64, groups(P256)}, []func(*Config){rsl64}, P256, false,
			BufferBytes(63), BufferBytes(63), nil},
		// This package's server splits its ServerHello to fit the
		// client's limit; one that ignores the limit sends it whole.
		{"client, P-256, limit ignored", []func(*Config){rsl64, groups(P256)}, nil, P256, false,
			recordBufSize(MaxRecordSizeLimit) + recordBufSize(64), BufferBytes(MaxPlaintext), ignoreLimits(false)},
		// The client asks for nothing: it sends its ClientHello whole,
		// and records that the server takes only if they are small.
		{"server, X25519", nil, []func(*Config){rsl64}, X25519, false,
			BufferBytes(MaxPlaintext), BufferBytes(63), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var setup []func(*pair)
			if tt.setup != nil {
				setup = append(setup, tt.setup)
			}
			p := handshake(t, overMem, clientConfig(tt.client...), serverConfig(tt.svr...), setup...)
			if p.clientErr != nil || p.svrErr != nil {
				t.Fatalf("handshake: client %v, server %v", p.clientErr, p.svrErr)
			}
			st := p.client.ConnectionState()
			if st.Group != tt.group || st.DidHelloRetryRequest != tt.hrr {
				t.Errorf("client state %+v, want group %v, retry %v", st, tt.group, tt.hrr)
			}
			if got := p.client.BufferBytes(); got != tt.clientBuffer {
				t.Errorf("client holds %d buffer bytes, want %d", got, tt.clientBuffer)
			}
			if got := p.server.BufferBytes(); got != tt.serverBuffer {
				t.Errorf("server holds %d buffer bytes, want %d", got, tt.serverBuffer)
			}
			toServer := 1000
			if tt.client == nil {
				toServer = 63
			}
			exchange(t, p.client, p.server, pattern(toServer))
			exchange(t, p.server, p.client, pattern(1000))
		})
	}
}

// TestHelloRoomBeforeHandshake: the figures BufferBytes documents for a
// side with the smallest limit before its handshake.
func TestHelloRoomBeforeHandshake(t *testing.T) {
	rsl64 := func(c *Config) { c.RecordSizeLimit = MinRecordSizeLimit }
	a, b := memPipe()
	defer a.Close()
	defer b.Close()
	if got, want := ClientOver(a, clientConfig(rsl64)).BufferBytes(), 261+85; got != want {
		t.Errorf("client with record_size_limit 64 holds %d bytes before its handshake, want %d", got, want)
	}
	if got, want := ServerOver(b, serverConfig(rsl64)).BufferBytes(), 517; got != want {
		t.Errorf("server with record_size_limit 64 holds %d bytes before its handshake, want %d", got, want)
	}
	if got, want := ClientOver(a, clientConfig()).BufferBytes(), BufferBytes(MaxPlaintext); got != want {
		t.Errorf("default client holds %d bytes before its handshake, want %d", got, want)
	}
}
