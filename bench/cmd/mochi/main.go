// Command mochi runs the mochi-mqtt v2 broker as a benchmark peer: one TCP
// listener, every client allowed, no logging. It exists so that bench/run.sh
// can measure this project's broker, mosquitto and mochi-mqtt side by side
// with the same load tool. It keeps mochi's default capabilities (8192
// pending writes and 8192 in-flight messages per client) so that the figures
// describe mochi as users get it.
package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:1883", "TCP `address` to listen on")
	flag.Parse()
	if err := run(*listen); err != nil {
		fmt.Fprintln(os.Stderr, "mochi:", err)
		os.Exit(1)
	}
}

func run(listen string) error {
	server := mqtt.New(&mqtt.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		// Nobody subscribes to $SYS here; a rare refresh keeps its
		// housekeeping out of the measurement.
		SysTopicResendInterval: 3600,
	})
	if err := server.AddHook(new(auth.AllowHook), nil); err != nil {
		return fmt.Errorf("add allow-all hook: %w", err)
	}
	tcp := listeners.NewTCP(listeners.Config{ID: "bench", Address: listen})
	if err := server.AddListener(tcp); err != nil {
		return fmt.Errorf("listen on %s: %w", listen, err)
	}
	if err := server.Serve(); err != nil {
		return fmt.Errorf("serve: %w", err)
	}

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	return server.Close()
}
