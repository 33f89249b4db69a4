package client

import (
	"context"
	"fmt"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/target"
)

// Probe connects to addr, sends a clean-session CONNECT (with creds, when
// not nil) and waits for an accepting CONNACK, then disconnects.
func Probe(ctx context.Context, addr string, creds *target.User) error {
	deadline := time.Now().Add(10 * time.Second)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	rc, err := DialAddr(ctx, addr)
	if err != nil {
		return err
	}
	defer rc.Close()
	opts := ConnectOptions{ClientID: ClientID("probe"), CleanSession: true, KeepAlive: 30}
	opts = opts.WithCredentials(creds)
	ack, err := rc.Connect(opts, time.Until(deadline))
	if err != nil {
		return fmt.Errorf("probing %s: %w", addr, err)
	}
	if ack.ReturnCode != 0 {
		return fmt.Errorf("probing %s: CONNACK refused the probe with return code %d (%s)",
			addr, ack.ReturnCode, ConnackText(ack.ReturnCode))
	}
	return rc.Disconnect()
}
