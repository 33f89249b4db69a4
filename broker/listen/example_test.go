package listen_test

import (
	"context"
	"log"
	"os/signal"
	"syscall"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/listen"
)

// Serve a broker on the MQTT port until interrupted.
func ExampleListenAndServe() {
	b, err := broker.New(broker.Config{Limits: broker.HostLimits})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := listen.ListenAndServe(ctx, "127.0.0.1:1883", b); err != context.Canceled {
		log.Fatal(err)
	}
}
