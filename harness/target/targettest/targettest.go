// Package targettest holds what the harness's own Go tests share: starting
// a target for one test, and waiting for a paho message. Suites use the
// Ginkgo layer (package harness) instead.
package targettest

import (
	"context"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/gatomqtt/gatomqtt/harness/target"
	_ "github.com/gatomqtt/gatomqtt/harness/target/inproc" // registers inproc
	_ "github.com/gatomqtt/gatomqtt/harness/target/tcp"    // registers tcp
)

// Started parses and starts target s, stopping it when the test ends.
func Started(t testing.TB, s string) target.Target {
	t.Helper()
	tg, err := target.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := tg.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := tg.Stop(); err != nil {
			t.Errorf("stopping %s: %v", tg.Name(), err)
		}
	})
	return tg
}

// ExpectMessage waits up to 5 s for a message on ch and checks its payload.
func ExpectMessage(t testing.TB, ch <-chan mqtt.Message, payload string) {
	t.Helper()
	select {
	case m := <-ch:
		if string(m.Payload()) != payload {
			t.Errorf("got %q, want %q", m.Payload(), payload)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("no %q within 5s", payload)
	}
}
