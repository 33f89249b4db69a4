// Command gatomqtt runs the GatoMQTT broker on a host.
//
//	gatomqtt -listen 127.0.0.1:1883 [-profile host|pico|esp32c3] [-users users.txt] [-acl acl.txt] [limit flags]
//	         [-psk-listen 127.0.0.1:8883 -psk-file psk.txt [-psk-allow-no-dhe]]
//
// It prints one line saying where it listens, serves until SIGINT or SIGTERM,
// then closes every connection and exits 0. Bad flags and a bad users,
// ACL or PSK file are reported on standard error with exit code 2.
// Without -users any client may connect.
//
// With -acl, clients may publish and subscribe only where the file grants
// them (broker.ACL). Its form is that of mosquitto's acl_file: topic lines
// ("topic read|write|readwrite <filter>") before any "user <name>" line
// grant anonymous clients, the clients of a broker without -users; those
// after one grant that user, who must be in the -users file. Mosquitto's
// deny and pattern lines are not supported. A denied PUBLISH is
// acknowledged and dropped, a denied subscription gets SUBACK 0x80.
//
// With -psk-listen the same broker also serves MQTT over TLS 1.3
// authenticated by external pre-shared keys (package broker/tlspsk). The
// -psk-file lists identity:hexkey lines, the format of mosquitto's
// psk_file, with keys of at least 128 bits. Clients must use psk_dhe_ke
// (X25519 or P-256) unless -psk-allow-no-dhe also admits psk_ke. The PSK
// identity does not replace the MQTT username: with -users, PSK clients
// also log in with a name and password.
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
