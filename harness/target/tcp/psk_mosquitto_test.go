package tcp_test

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target/targettest"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
	"github.com/gatomqtt/gatomqtt/peers"
)

// TestPSKAgainstMosquitto carries paho's MQTT traffic over this project's
// TLS-PSK client to mosquitto's PSK listener (OpenSSL on the server side),
// in each cipher suite, and checks what mosquitto refuses.
func TestPSKAgainstMosquitto(t *testing.T) {
	m := peers.MosquittoPSKFor(t, peers.MosquittoOptions{})
	tg := targettest.Started(t, m.Target())
	ep := tg.Endpoints().PSK
	if ep == nil || ep.Address != m.PSKAddr || ep.Identity != m.PSK.Identity {
		t.Fatalf("target %s: PSK endpoint %+v", tg.Name(), ep)
	}
	if strings.Contains(tg.Name(), hex.EncodeToString(ep.Key)) {
		t.Errorf("target name %q shows the key", tg.Name())
	}

	pub := client.NewPahoPSK(tg, client.ClientID("pskpub"), nil)
	if _, err := pub.ConnectWait(); err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	for _, suite := range tg.Capabilities().PSK.CipherSuites {
		t.Run(suite.String(), func(t *testing.T) {
			sub := client.NewPahoPSK(tg, client.ClientID("psksub"), func(c *tlspsk.Config) {
				c.CipherSuites = []tlspsk.CipherSuite{suite}
				c.Groups = []tlspsk.Group{tlspsk.P256}
				c.MaxFragmentLength = 512
			})
			if _, err := sub.ConnectWait(); err != nil {
				t.Fatal(err)
			}
			defer sub.Close()
			st := sub.PSK().ConnectionState()
			if st.CipherSuite != suite || st.Group != tlspsk.P256 || st.MaxFragmentLength != 512 {
				t.Errorf("negotiated %+v", st)
			}
			topic := client.Topic("psk")
			if err := client.Wait(sub.Subscribe(topic, 1, nil), "subscribe"); err != nil {
				t.Fatal(err)
			}
			big := strings.Repeat(suite.String(), 200) // several 512-byte records
			if err := client.Wait(pub.Publish(topic, 1, false, big), "publish"); err != nil {
				t.Fatal(err)
			}
			targettest.ExpectMessage(t, sub.Messages, big)
			in := sub.PSK().Wire.In()
			t.Logf("%d-byte message in %d records from mosquitto, largest %d bytes", len(big), in.Records, in.MaxLength)
			if in.MaxLength > 512+1+16 || in.Records < len(big)/512 {
				t.Errorf("mosquitto sent %d records of at most %d bytes under max_fragment_length 512 for a %d-byte message",
					in.Records, in.MaxLength, len(big))
			}
		})
	}

	for _, tt := range []struct {
		name      string
		configure func(*tlspsk.Config)
	}{
		{"psk_ke alone", func(c *tlspsk.Config) { c.KeyExchangeModes = []tlspsk.KeyExchangeMode{tlspsk.KeyExchangePSK} }},
		{"wrong key", func(c *tlspsk.Config) { c.PSK.Key = make([]byte, 16) }},
		{"unknown identity", func(c *tlspsk.Config) { c.PSK.Identity = "nobody" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			c, err := client.DialPSKConn(ctx, ep, tt.configure)
			var ae *tlspsk.AlertError
			if !errors.As(err, &ae) {
				t.Fatalf("handshake err = %v, want a fatal alert from mosquitto", err)
			}
			t.Logf("mosquitto refused with %v", ae.Alert)
			if err := c.Wire.ExpectClosed(2 * time.Second); err != nil {
				t.Error(err)
			}
			if n := c.Wire.In().ByType[client.RecordApplicationData]; n != 0 {
				t.Errorf("mosquitto sent %d protected records before refusing", n)
			}
		})
	}
}
