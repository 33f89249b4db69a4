package harness_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
)

// The inproc target serves MQTT over TLS-PSK beside plain MQTT; DialPSK
// gives a raw client through it, here asking for 512-byte records as a
// small board would.
func ExampleDialPSK() {
	t, err := target.Parse("inproc")
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := t.Start(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	defer t.Stop()

	c, conn, err := client.DialPSK(t, func(cfg *tlspsk.Config) { cfg.MaxFragmentLength = 512 })
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	st := conn.ConnectionState()
	fmt.Println(st.KeyExchangeMode, st.Group, st.CipherSuite, st.MaxFragmentLength)

	creds := t.Capabilities().Credentials
	ack, err := c.Connect(client.ConnectOptions{
		ClientID: "example-psk", CleanSession: true, Username: creds.Name, Password: creds.Password,
	}, 5*time.Second)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(client.Describe(ack))
	// Output:
	// psk_dhe_ke x25519 TLS_AES_128_GCM_SHA256 512
	// CONNACK(code=0 accepted, session present=false)
}
