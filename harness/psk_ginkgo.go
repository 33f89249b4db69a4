package harness

import (
	"context"
	"strings"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/onsi/ginkgo/v2"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
)

// RequirePSK skips the running spec, with the reason, unless the current
// target has a TLS-PSK endpoint offering everything n needs.
func RequirePSK(n PSKNeeds) {
	ginkgo.GinkgoHelper()
	Require(Needs{PSK: true})
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

// HandshakePSK connects to the current target's TLS-PSK endpoint and runs
// the handshake, returning its error rather than failing the spec, for
// specs about refused handshakes. The connection is closed when the spec
// ends.
func HandshakePSK(configure ...func(*tlspsk.Config)) (*PSKConn, error) {
	ginkgo.GinkgoHelper()
	c, err := DialPSKConn(context.Background(), Current().Endpoints().PSK, configure...)
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
func RawPSK(configure ...func(*tlspsk.Config)) (*RawClient, *PSKConn) {
	ginkgo.GinkgoHelper()
	t := Current()
	c, conn, err := DialPSK(t, configure...)
	if err != nil {
		ginkgo.Fail(err.Error())
	}
	cleanupRaw(t, c)
	return c, conn
}

// PahoPSK returns a paho client connected through the current target's
// TLS-PSK endpoint, with a unique client id, disconnected when the spec
// ends. psk changes the TLS configuration (nil: PSKConfig's defaults).
func PahoPSK(psk func(*tlspsk.Config), configure ...func(*mqtt.ClientOptions)) *PahoPSKClient {
	ginkgo.GinkgoHelper()
	c := NewPahoPSKClient(psk, configure...)
	if _, err := c.ConnectWait(); err != nil {
		ginkgo.Fail(err.Error())
	}
	return c
}

// NewPahoPSKClient returns an unconnected PSK paho client for the current
// target, cleaned up as NewPahoClient's are.
func NewPahoPSKClient(psk func(*tlspsk.Config), configure ...func(*mqtt.ClientOptions)) *PahoPSKClient {
	ginkgo.GinkgoHelper()
	t := Current()
	c := NewPahoPSK(t, ClientID("psk"), psk, configure...)
	cleanupPaho(t, c.PahoClient)
	return c
}
