// Command gatomqtt runs the GatoMQTT broker on a host.
//
//	gatomqtt -listen 127.0.0.1:1883 [-profile host|pico|esp32c3] [-users users.txt] [-acl acl.txt] [limit flags]
//	         [-psk-listen 127.0.0.1:8883 -psk-file psk.txt [-psk-allow-no-dhe] [-psk-reveal-unknown-identity]]
//	         [-ws-listen 127.0.0.1:9001 [-ws-origins https://app.example]]
//	         [-v] [-sys-interval 10s]
//
// It prints one line saying where it listens, serves until SIGINT or SIGTERM,
// then closes every connection and exits 0. SIGHUP rereads the users, ACL
// and PSK files, keeping connections and sessions, and logs what changed,
// or why it keeps the old configuration when a file is bad.
//
// Every -sys-interval it publishes the broker's statistics as retained
// messages under $SYS/broker/ (package broker/sysstat), which clients read
// as the ACL lets them. -max-topic, -max-payload and -max-packet raise the
// profile's outbox as far as their packets need; -outbox sets it. Bad flags and a bad users,
// ACL or PSK file are reported on standard error with exit code 2.
// Without -users any client may connect.
//
// With -acl, clients may publish and subscribe only where the file grants
// them (broker.ACL). Its form is that of mosquitto's acl_file: topic lines
// ("topic [read|write|readwrite|deny] <filter>") before any "user <name>"
// line apply to anonymous clients, the clients of a broker without
// -users; those after one apply to that user, who must be in the -users
// file. Pattern lines ("pattern [read|write|readwrite|deny] <filter>")
// apply to every client, with a level that is exactly %c or %u standing
// for its client identifier or user name. As in mosquitto, the topic lines
// of a client's user decide first, a deny among them overriding their
// grants and every pattern, then the patterns, a deny pattern overriding
// grant patterns (but not the user's topic lines); what neither grants is
// denied. A denied PUBLISH is acknowledged and dropped; a subscription no
// single grant covers, or one a deny covers whole, gets SUBACK 0x80; and
// a message on a topic the subscriber may not read is not delivered to
// it, even through a granted wider filter such as "#". Unlike mosquitto,
// which grants every SUBSCRIBE and filters only at delivery, a "#"
// subscription needs a grant to read "#".
//
// With -ws-listen the same broker also serves MQTT over WebSocket
// (package broker/mqttws: subprotocol mqtt, binary frames, any path), for
// browser clients and MQTT.js; -ws-origins lists the browser origins it
// accepts (default any).
//
// With -psk-listen the same broker also serves MQTT over TLS 1.3
// authenticated by external pre-shared keys (package broker/tlspsk). The
// -psk-file lists identity:hexkey lines, the format of mosquitto's
// psk_file, with keys of at least 128 bits. Clients must use psk_dhe_ke
// (X25519 or P-256) unless -psk-allow-no-dhe also admits psk_ke. A client
// offering an identity the file does not list is refused with the alert
// a wrong key gets, decrypt_error, so that clients cannot find out which
// identities exist; -psk-reveal-unknown-identity sends unknown_psk_identity
// instead (RFC 8446 allows both), for clients that need to tell. The PSK
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

// runUntilSignal runs the broker until SIGINT or SIGTERM, and rereads the
// users, ACL and PSK files on SIGHUP.
//
// SIGPIPE is ignored: without that, the Go runtime ends the process when
// it writes to a standard output or error whose reader is gone (a closed
// pipe, a terminal that went away), so a log line would kill the broker.
// Ignored, such writes fail with EPIPE, which the logger disregards.
func runUntilSignal(args []string) int {
	signal.Ignore(syscall.SIGPIPE)
	// SIGHUP, which would end the process, rereads the files instead, as
	// it does for mosquitto and as logrotate expects.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runReloading(ctx, args, os.Stdout, os.Stderr, hup)
}
