// Command gatomqtt-peer runs a peer broker the way the harness's own tests
// do (package peers), for scripts: today mosquitto, with the project's
// conformance configuration. It prints the harness target string of the
// running peer as one line on stdout, serves until SIGINT or SIGTERM, then stops the peer and exits 0.
//
//	gatomqtt-peer [-psk] [-acl] [-port n] [-config line]... [-log file] [-pidfile file] mosquitto
//
// ci/suites.sh runs the suites against it; bench/run.sh benchmarks it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/gatomqtt/gatomqtt/peers"
)

// lines is a flag that may be given many times.
type lines []string

func (l *lines) String() string     { return fmt.Sprint(*l) }
func (l *lines) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	if err := run(os.Args[1:], os.Stdout, sig); err != nil {
		fmt.Fprintln(os.Stderr, "gatomqtt-peer:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer, stopped <-chan os.Signal) error {
	fs := flag.NewFlagSet("gatomqtt-peer", flag.ContinueOnError)
	psk := fs.Bool("psk", false, "add the TLS-PSK listener of fixtures/mosquitto-psk.conf, with a fresh identity and key")
	acl := fs.Bool("acl", false, "give mosquitto fixtures/mosquitto.acl and declare its denied topic prefix")
	port := fs.Int("port", 0, "loopback port for MQTT (default: a free one)")
	logFile := fs.String("log", "", "write the peer's output to this file when it stops")
	pidFile := fs.String("pidfile", "", "write the peer's process id to this file (to measure its memory)")
	var config lines
	fs.Var(&config, "config", "a configuration line appended to fixtures/mosquitto.conf (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || fs.Arg(0) != "mosquitto" {
		return fmt.Errorf("want one peer name, mosquitto; got %q", fs.Args())
	}
	opts := peers.MosquittoOptions{Config: config, ACL: *acl, Port: *port}
	var (
		target string
		pid    int
		stop   func() error
		log    func() string
	)
	if *psk {
		m, err := peers.StartMosquittoPSK(opts)
		if err != nil {
			return err
		}
		target, pid, stop, log = m.Target(), m.PID(), m.Stop, m.Log
	} else {
		m, err := peers.StartMosquitto(opts)
		if err != nil {
			return err
		}
		target, pid, stop, log = m.Target(), m.PID(), m.Stop, m.Log
	}
	if *pidFile != "" {
		if err := os.WriteFile(*pidFile, []byte(fmt.Sprintln(pid)), 0o644); err != nil {
			return errors.Join(err, stop())
		}
	}
	fmt.Fprintln(stdout, target)

	<-stopped
	err := stop()
	if *logFile != "" {
		if werr := os.WriteFile(*logFile, []byte(log()+"\n"), 0o644); err == nil {
			err = werr
		}
	}
	return err
}
