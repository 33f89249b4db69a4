// Command gatomqtt runs the GatoMQTT broker on a host.
//
//	gatomqtt -listen 127.0.0.1:1883 [-profile host|pico|esp32c3] [-users users.txt] [limit flags]
//
// It prints one line saying where it listens, serves until SIGINT or SIGTERM,
// then closes every connection and exits 0. Bad flags or a bad users file
// are reported on standard error with exit code 2. Without -users any client
// may connect.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(runUntilSignal(os.Args[1:]))
}

// runUntilSignal runs the broker until SIGINT or SIGTERM.
func runUntilSignal(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, args, os.Stdout, os.Stderr)
}
