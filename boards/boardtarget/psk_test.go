package boardtarget

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/boards/firmware"
	"github.com/gatomqtt/gatomqtt/boards/firmware/pskstreams"
	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
	"github.com/gatomqtt/gatomqtt/fixtures/peers"
	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

var testPSK = tlspsk.PSK{Identity: "board-7", Key: bytes.Repeat([]byte{0x42}, 32)}

// pskOptions are the firmware options of a board serving TLS-PSK as the
// twin does.
func pskOptions(t *testing.T, p *boards.Profile) firmware.Options {
	t.Helper()
	cfg, err := pskstreams.Config(p, testPSK)
	if err != nil {
		t.Fatal(err)
	}
	return firmware.Options{Streams: pskstreams.Hook(cfg), PSKIdentity: testPSK.Identity}
}

// pipeTarget is a board target whose line is a pipe to a firmware core
// in this process started with opts, knowing key (nil: none).
func pipeTarget(t *testing.T, p *boards.Profile, opts firmware.Options, identity string, key []byte) *boardTarget {
	t.Helper()
	bt, err := newBoardTarget("pipe:"+p.Name, p, target.NewOptions(&url.URL{}), func(context.Context) (io.ReadWriteCloser, string, func() error, error) {
		return boardWith(t, p, opts), "a pipe", func() error { return nil }, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	bt.pskIdentity, bt.pskKey = identity, key
	return bt
}

// startedPSKPipe starts a target over a Pico core in process that serves
// TLS-PSK with testPSK, stopped when the test ends.
func startedPSKPipe(ctx context.Context, t *testing.T) *boardTarget {
	t.Helper()
	p := &boards.Pico
	bt := pipeTarget(t, p, pskOptions(t, p), "", testPSK.Key)
	if err := bt.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bt.Stop() })
	return bt
}

// TestBridgeServesTLSPSKStreams: the bridge's TLS-PSK listener passes
// each connection to a link stream unchanged, so a harness client's TLS
// runs end to end with the firmware's server, beside plain MQTT.
func TestBridgeServesTLSPSKStreams(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	bt := startedPSKPipe(ctx, t)

	ep := bt.Endpoints()
	if ep.PSK == nil || ep.PSK.Address == "" || ep.PSK.Address == ep.MQTT || ep.PSK.Identity != testPSK.Identity || !bytes.Equal(ep.PSK.Key, testPSK.Key) {
		t.Fatalf("endpoints %+v, want a TLS-PSK endpoint of its own as %q", ep, testPSK.Identity)
	}
	self, err := peers.Lookup(peers.GatoMQTT)
	if err != nil {
		t.Fatal(err)
	}
	if c := bt.Capabilities().PSK; !slices.Equal(c.Modes, self.PSK.Modes) || !slices.Equal(c.Groups, self.PSK.Groups) ||
		!slices.Equal(c.CipherSuites, self.PSK.CipherSuites) || c.Alerts != self.PSK.Alerts || !c.RecordSizeLimit || !c.MaxFragmentLength {
		t.Errorf("PSK capabilities %+v, want gatomqtt's %+v", c, self.PSK)
	}
	if m := bt.Capabilities().Missing(target.Needs{PSK: true}, ep); len(m) > 0 {
		t.Errorf("a spec needing TLS-PSK would skip: %v", m)
	}

	sub, err := client.DialAddr(ctx, ep.MQTT)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if ack, err := sub.Connect(client.ConnectOptions{ClientID: "plain", CleanSession: true}, 5*time.Second); err != nil || ack.ReturnCode != packet.Accepted {
		t.Fatalf("plain CONNECT: %v %s", err, client.Describe(ack))
	}
	if _, err := sub.Subscribe(1, 1, 5*time.Second, "t/#"); err != nil {
		t.Fatal(err)
	}
	for _, cfg := range []func(*tlspsk.Config){
		nil,
		func(c *tlspsk.Config) { c.MaxFragmentLength = 512 },
		func(c *tlspsk.Config) {
			c.KeyExchangeModes = []tlspsk.KeyExchangeMode{tlspsk.KeyExchangePSK}
			c.CipherSuites = []tlspsk.CipherSuite{tlspsk.TLS_AES_128_CCM_8_SHA256}
		},
	} {
		pub, conn, err := client.DialPSK(bt, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if st := conn.ConnectionState(); !st.HandshakeComplete || st.Identity != testPSK.Identity {
			t.Errorf("TLS state %+v", st)
		}
		if ack, err := pub.Connect(client.ConnectOptions{ClientID: "psk", CleanSession: true}, 5*time.Second); err != nil || ack.ReturnCode != packet.Accepted {
			t.Fatalf("CONNECT over TLS-PSK: %v %s", err, client.Describe(ack))
		}
		body := bytes.Repeat([]byte{'p'}, bt.profile.Limits.MaxPayloadSize)
		if err := pub.PublishWait("t/psk", body, 1, false, 3, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		got, err := sub.ExpectPublish(5 * time.Second)
		if err != nil || !bytes.Equal(got.Payload, body) {
			t.Fatalf("the plain subscriber got %s, %v", client.Describe(got), err)
		}
		if err := sub.Acknowledge(got); err != nil {
			t.Fatal(err)
		}
		pub.Close()
	}

	// A wrong key: the firmware's server refuses with the alert declared.
	_, err = client.DialPSKConn(ctx, &target.PSKEndpoint{Address: ep.PSK.Address, Identity: testPSK.Identity, Key: []byte("not the key at all")})
	var ae *tlspsk.AlertError
	if !errors.As(err, &ae) || !self.PSK.Alerts.WrongKey.Has(ae.Alert) {
		t.Errorf("handshake with a wrong key: %v, want alert %v", err, self.PSK.Alerts.WrongKey)
	}
}

// TestPortsSpeakOneProtocol: plain MQTT on the TLS-PSK port and TLS on
// the MQTT port are closed unanswered, as a TLS server and a broker would
// close them, and the board serves on.
func TestPortsSpeakOneProtocol(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	bt := startedPSKPipe(ctx, t)
	ep := bt.Endpoints()

	c, err := client.DialAddr(ctx, ep.PSK.Address)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Send(client.ConnectOptions{ClientID: "plain", CleanSession: true}.Packet()); err != nil && !errors.Is(err, client.ErrClosed) {
		t.Fatal(err)
	}
	if b, err := c.ReadRaw(5 * time.Second); !errors.Is(err, client.ErrClosed) {
		t.Errorf("plain CONNECT on the TLS-PSK port: read % x, %v; want the connection closed", b, err)
	}

	wc, err := client.DialPSKConn(ctx, &target.PSKEndpoint{Address: ep.MQTT, Identity: testPSK.Identity, Key: testPSK.Key})
	if wc != nil {
		wc.Wire.Close()
	}
	// Closed, not answered: a TLS server's alert would mean the firmware
	// took the stream as TLS.
	if ae := (*tlspsk.AlertError)(nil); err == nil || errors.As(err, &ae) {
		t.Errorf("TLS-PSK handshake on the MQTT port: %v, want the connection closed", err)
	}

	if _, conn, err := client.DialPSK(bt, nil); err != nil {
		t.Errorf("TLS-PSK after both: %v", err)
	} else {
		conn.Close()
	}
}

// TestTargetPSKDeclared covers what a board target declares from the
// hello and the key it holds.
func TestTargetPSKDeclared(t *testing.T) {
	p := &boards.ESP32C3
	tests := []struct {
		name     string
		opts     firmware.Options
		identity string
		key      []byte
		endpoint bool
		wantErr  string
	}{
		{name: "no TLS-PSK, no key"},
		{name: "TLS-PSK, key", opts: pskOptions(t, p), key: testPSK.Key, endpoint: true},
		{name: "TLS-PSK, identity and key", opts: pskOptions(t, p), identity: testPSK.Identity, key: testPSK.Key, endpoint: true},
		{name: "TLS-PSK, no key", opts: pskOptions(t, p)},
		{name: "TLS-PSK, another identity", opts: pskOptions(t, p), identity: "board-8", key: testPSK.Key,
			wantErr: `serves TLS-PSK as identity "board-7", not "board-8"`},
		{name: "no TLS-PSK, key", key: testPSK.Key, wantErr: "the firmware serves no TLS-PSK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bt := pipeTarget(t, p, tt.opts, tt.identity, tt.key)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := bt.Start(ctx)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Start: %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer bt.Stop()
			ep, c := bt.Endpoints(), bt.Capabilities()
			if (ep.PSK != nil) != tt.endpoint || (len(c.PSK.Modes) > 0) != tt.endpoint {
				t.Errorf("endpoint %+v, PSK capabilities %+v; want an endpoint: %v", ep.PSK, c.PSK, tt.endpoint)
			}
			if err := bt.Stop(); err != nil {
				t.Fatal(err)
			}
			if bt.Endpoints().PSK != nil {
				t.Error("a TLS-PSK endpoint after Stop")
			}
		})
	}
}
