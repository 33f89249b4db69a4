package inproc_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"
	"github.com/gatomqtt/gatomqtt/harness/target/inproc"
	"github.com/gatomqtt/gatomqtt/harness/target/targettest"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
)

func TestInprocPSKEndpoint(t *testing.T) {
	tg := targettest.Started(t, "inproc")
	ep := tg.Endpoints().PSK
	if ep == nil || ep.Address == "" || ep.Identity == "" || len(ep.Key) != inproc.PSKKeyBytes {
		t.Fatalf("inproc PSK endpoint %+v", ep)
	}
	if ep.Address == tg.Endpoints().MQTT {
		t.Fatal("PSK endpoint on the plain MQTT port")
	}
	creds := tg.Capabilities().Credentials

	for _, mode := range []tlspsk.KeyExchangeMode{tlspsk.KeyExchangePSKDHE, tlspsk.KeyExchangePSK} {
		t.Run(mode.String(), func(t *testing.T) {
			raw, conn, err := client.DialPSK(tg, func(c *tlspsk.Config) {
				c.KeyExchangeModes = []tlspsk.KeyExchangeMode{mode}
				c.MaxFragmentLength = 1024
			})
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			if st := conn.ConnectionState(); st.KeyExchangeMode != mode || st.Identity != ep.Identity || st.MaxFragmentLength != 1024 {
				t.Errorf("client state %+v", st)
			}
			ack, err := raw.Connect(client.ConnectOptions{ClientID: client.ClientID("psk"), CleanSession: true,
				Username: creds.Name, Password: creds.Password}, 5*time.Second)
			if err != nil || ack.ReturnCode != packet.Accepted {
				t.Fatalf("CONNECT over PSK: %v %s", err, client.Describe(ack))
			}
			// A read that times out leaves the connection usable.
			if err := raw.ExpectNothing(50 * time.Millisecond); err != nil {
				t.Fatal(err)
			}
			if err := raw.Send(&packet.Pingreq{}); err != nil {
				t.Fatal(err)
			}
			if err := raw.ExpectPingresp(5 * time.Second); err != nil {
				t.Fatal(err)
			}
			srv, ok := inproc.PSKServerState(tg, raw.Conn().LocalAddr())
			if !ok || srv.KeyExchangeMode != mode || srv.SendLimit != 1024 || srv.ReceiveLimit != 1024 {
				t.Errorf("server state %+v (found %v), want %v with 1024-byte records", srv, ok, mode)
			}
			if n, ok := inproc.PSKServerBufferBytes(tg, raw.Conn().LocalAddr()); !ok || n != tlspsk.BufferBytes(1024) {
				t.Errorf("server buffer bytes %d (found %v), want %d for 1024-byte records", n, ok, tlspsk.BufferBytes(1024))
			}
			if st, _ := tg.Stats(); st.Extra["psk_connections"] < 1 {
				t.Errorf("Stats psk_connections = %d", st.Extra["psk_connections"])
			}
		})
	}

	t.Run("wrong key", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, err := client.DialPSKConn(ctx, ep, func(c *tlspsk.Config) { c.PSK.Key = make([]byte, 32) })
		var ae *tlspsk.AlertError
		if !errors.As(err, &ae) || ae.Alert != tlspsk.AlertDecryptError {
			t.Fatalf("err = %v, want decrypt_error from the server", err)
		}
		if err := c.Wire.ExpectClosed(2 * time.Second); err != nil {
			t.Error(err)
		}
		if in := c.Wire.In(); in.ByType[client.RecordApplicationData] != 0 || in.ByType[client.RecordAlert] != 1 {
			t.Errorf("server sent %+v, want one alert record and nothing protected", in)
		}
	})

	t.Run("paho", func(t *testing.T) {
		sub := client.NewPahoPSK(tg, client.ClientID("psksub"), nil)
		if _, err := sub.ConnectWait(); err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		topic := client.Topic("psk")
		if err := client.Wait(sub.Subscribe(topic, 1, nil), "subscribe"); err != nil {
			t.Fatal(err)
		}
		pub := client.NewPahoPSK(tg, client.ClientID("pskpub"), func(c *tlspsk.Config) {
			c.CipherSuites = []tlspsk.CipherSuite{tlspsk.TLS_AES_128_CCM_8_SHA256}
		}, func(o *mqtt.ClientOptions) { o.SetWill(topic, "gone", 1, false) })
		if _, err := pub.ConnectWait(); err != nil {
			t.Fatal(err)
		}
		if s := pub.PSK().ConnectionState().CipherSuite; s != tlspsk.TLS_AES_128_CCM_8_SHA256 {
			t.Errorf("publisher suite %v", s)
		}
		if err := client.Wait(pub.Publish(topic, 1, false, "over psk"), "publish"); err != nil {
			t.Fatal(err)
		}
		targettest.ExpectMessage(t, sub.Messages, "over psk")
		if err := pub.Abort(); err != nil {
			t.Fatal(err)
		}
		targettest.ExpectMessage(t, sub.Messages, "gone")
		select {
		case <-pub.Lost:
		case <-time.After(5 * time.Second):
			t.Error("Abort of a PSK paho client not reported on Lost")
		}
	})

	t.Run("no endpoint", func(t *testing.T) {
		plain, err := target.Parse("tcp://" + tg.Endpoints().MQTT)
		if err != nil {
			t.Fatal(err)
		}
		c := client.NewPahoPSK(plain, client.ClientID("nopsk"), nil)
		if _, err := c.ConnectWait(); !errors.Is(err, client.ErrNoPSKEndpoint) {
			t.Errorf("connect without a PSK endpoint: %v, want ErrNoPSKEndpoint", err)
		}
	})
}

func TestInprocPSKHelloRetryRequest(t *testing.T) {
	tg := targettest.Started(t, "inproc?psk_groups=p256")
	_, conn, err := client.DialPSK(tg) // first share X25519
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if st := conn.ConnectionState(); !st.DidHelloRetryRequest || st.Group != tlspsk.P256 {
		t.Errorf("state %+v, want a HelloRetryRequest to secp256r1", st)
	}
}

// TestInprocPSKUnknownIdentity: the inproc server answers an unknown
// identity as it answers a wrong key unless psk_reveal_identity is set,
// and declares exactly the alert it sends, so that the suite checks each
// setting exactly.
func TestInprocPSKUnknownIdentity(t *testing.T) {
	tests := []struct {
		target string
		want   tlspsk.Alert
	}{
		{"inproc", tlspsk.AlertDecryptError},
		{"inproc?psk_reveal_identity=false", tlspsk.AlertDecryptError},
		{"inproc?psk_reveal_identity=1", tlspsk.AlertUnknownPSKIdentity},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			tg := targettest.Started(t, tt.target)
			if got := tg.Capabilities().PSK.Alerts.UnknownIdentity; got != target.Alerts(tt.want) {
				t.Errorf("declares %v for an unknown identity, want %v alone", got, tt.want)
			}
			if got := tg.Capabilities().PSK.Alerts.WrongKey; got != target.Alerts(tlspsk.AlertDecryptError) {
				t.Errorf("declares %v for a wrong key, want decrypt_error alone", got)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := client.DialPSKConn(ctx, tg.Endpoints().PSK, func(c *tlspsk.Config) { c.PSK.Identity = "not-" + c.PSK.Identity })
			var ae *tlspsk.AlertError
			if !errors.As(err, &ae) || ae.Alert != tt.want {
				t.Errorf("unknown identity: err = %v, want %v from the server", err, tt.want)
			}
		})
	}
}
