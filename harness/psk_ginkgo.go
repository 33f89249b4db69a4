package harness

import (
	"context"
	"strings"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/onsi/ginkgo/v2"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
	"github.com/gatomqtt/gatomqtt/harness/client"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

// RequirePSK skips the running spec, with the reason, unless the current
// target has a TLS-PSK endpoint offering everything n needs.
func RequirePSK(n target.PSKNeeds) {
	ginkgo.GinkgoHelper()
	Require(target.Needs{PSK: true})
	t := Current()
	caps := t.Capabilities()
	peer := caps.Peer
	if peer == "" {
		peer = t.Name()
	}
	if m := caps.PSK.Missing(n, peer); len(m) > 0 {
		ginkgo.Skip("target "+t.Name()+": "+strings.Join(m, "; "), 1)
	}
}

// PSKHandshake connects to the current target's TLS-PSK endpoint and runs
// the handshake alone. Unlike the other spec helpers it returns the
// handshake's error rather than failing the spec, for specs about refused
// handshakes; the connection (with its Wire still open when the handshake
// failed) is closed when the spec ends.
func PSKHandshake(configure ...func(*tlspsk.Config)) (*client.PSKConn, error) {
	ginkgo.GinkgoHelper()
	c, err := client.DialPSKConn(context.Background(), Current().Endpoints().PSK, configure...)
	if c != nil {
		ginkgo.DeferCleanup(func() {
			c.Close()
			c.Wire.Close()
		})
	}
	return c, err
}

// RawPSK returns a raw client connected through the current target's
// TLS-PSK endpoint (handshake done, no CONNECT sent yet) and its TLS
// connection. Cleanup is as for Raw.
func RawPSK(configure ...func(*tlspsk.Config)) (*client.RawClient, *client.PSKConn) {
	ginkgo.GinkgoHelper()
	t := Current()
	c, conn, err := client.DialPSK(t, configure...)
	if err != nil {
		ginkgo.Fail(err.Error())
	}
	cleanupRaw(t, c)
	return c, conn
}

// PahoPSK returns a paho client connected through the current target's
// TLS-PSK endpoint, with a unique client id, cleaned up as Paho's are. psk
// changes the TLS configuration (nil: PSKConfig's defaults).
func PahoPSK(psk func(*tlspsk.Config), configure ...func(*mqtt.ClientOptions)) *client.PahoPSKClient {
	ginkgo.GinkgoHelper()
	t := Current()
	c := client.NewPahoPSK(t, client.ClientID("psk"), psk, configure...)
	cleanupPaho(t, c.PahoClient)
	if _, err := c.ConnectWait(); err != nil {
		ginkgo.Fail(err.Error())
	}
	return c
}
