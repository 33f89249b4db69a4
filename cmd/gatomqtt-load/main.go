// Command gatomqtt-load drives an MQTT 3.1.1 broker with publishers and
// subscribers over TCP and reports delivered messages per second, loss,
// latency percentiles and, given the broker's process id, its memory.
//
// Usage:
//
//	gatomqtt-load -addr 127.0.0.1:1883 -pubs 4 -subs 1 -qos 1 -duration 10s -pid 1234 -label mosquitto -tsv results.tsv
//	gatomqtt-load -addr 127.0.0.1:1883 -pubs 4 -subs 1 -qos 1 -capacity 500000 -label mosquitto
//	gatomqtt-load -table results.tsv -baseline mosquitto
//	gatomqtt-load -addr 127.0.0.1:1883 -scenario slow-consumers -slow 100 -rcvbuf 4096 -duration 10s -label mosquitto -tsv slow.tsv
//	gatomqtt-load -addr 127.0.0.1:1883 -scenario store-pressure -sessions 4 -stored 1024 -count 100 -label mosquitto
//	gatomqtt-load -addr 127.0.0.1:1883 -scenario wildcard-pressure -sessions 250 -filters 32 -levels 125 -duration 5s -label mosquitto
//	gatomqtt-load -addr 127.0.0.1:1883 -scenario idle-sessions -sessions 100000 -count 10000 -qos 1 -pid 1234 -label mosquitto
//	gatomqtt-load -addr 127.0.0.1:1883 -scenario connection-rate -concurrency 16 -duration 5s -label mosquitto
//	gatomqtt-load -psk-addr 127.0.0.1:8883 -psk-identity board -psk-key 00112233445566778899aabbccddeeff -scenario psk-handshakes -duration 5s
//	gatomqtt-load -psk-addr 127.0.0.1:8883 -psk-identity board -psk-key 00112233445566778899aabbccddeeff -scenario psk-throughput -qos 1 -duration 5s
//
// The first form runs a load and prints one line (or JSON with -json),
// appending a row to the -tsv file if given. The second searches for the
// highest per-publisher rate the broker sustains without loss or lag, with
// probe runs of -duration (3 s unless given), and reports the fastest probe
// that passed. The third prints the rows of a TSV file as a Markdown table
// with ratios to the baseline broker.
//
// With -scenario it runs one of the attack scenarios of package load
// instead (see load.RunSlowConsumers, load.RunStorePressure,
// load.RunWildcardPressure and load.RunIdleSessions): the flags of a run
// then describe the ordinary clients measured beside the attack (the
// publisher and fast subscriber of slow-consumers, the online run of
// store-pressure, the run made before and after the filters of
// wildcard-pressure, the routing run beside -idle-baseline and beside
// -sessions idle sessions of idle-sessions, which with -pid also reports
// the broker's memory per session), and -tsv
// appends a row under the scenario's own header, which -table prints as a
// plain Markdown table.
//
// connection-rate has -concurrency clients (16 unless given) loop
// connect, CONNECT, CONNACK, DISCONNECT, close for -duration (5 s unless
// given) or -count connections, and reports connections per second, the
// latency from connect to CONNACK and the failures, counted (see
// load.RunConnectionRate). psk-handshakes does the same over TLS 1.3
// external-PSK to -psk-addr, with -psk-identity and -psk-key, psk_dhe_ke
// over X25519 unless -psk-ke asks for psk_ke. psk-throughput is the first
// form over TLS-PSK: its rows, named psk-<scenario>, go in the same TSV
// file and table as runs over TCP.
package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gatomqtt/gatomqtt/load"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gatomqtt-load:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("gatomqtt-load", flag.ContinueOnError)
	var cfg load.Config
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:1883", "broker TCP `address`")
	fs.StringVar(&cfg.Label, "label", "", "broker `name` in reports (default: the address)")
	fs.IntVar(&cfg.Publishers, "pubs", 1, "publishing connections")
	fs.IntVar(&cfg.Subscribers, "subs", 1, "subscribing connections")
	fs.IntVar(&cfg.QoS, "qos", 0, "QoS for publishing and subscribing: 0 or 1")
	fs.IntVar(&cfg.PayloadSize, "size", load.DefaultPayloadSize, fmt.Sprintf("payload `bytes`, at least %d", load.StampSize))
	fs.DurationVar(&cfg.Duration, "duration", 0, "how long to publish (default 10s unless -count is given)")
	fs.IntVar(&cfg.Count, "count", 0, "messages per publisher; overrides -duration")
	fs.IntVar(&cfg.Rate, "rate", 0, "messages per second per publisher (default: as fast as the broker takes them)")
	fs.IntVar(&cfg.Window, "window", load.DefaultWindow, "QoS 1 messages in flight per publisher")
	fs.StringVar(&cfg.Topic, "topic", load.DefaultTopic, "topic to publish and subscribe to")
	fs.DurationVar(&cfg.Drain, "drain", load.DefaultDrain, "how long to wait without progress for late deliveries and PUBACKs")
	fs.DurationVar(&cfg.Stall, "stall", load.DefaultStall, "fail when no client makes progress for this long")
	fs.IntVar(&cfg.PID, "pid", 0, "broker process `id`, to report its memory from /proc")
	capacity := fs.Int("capacity", 0, "search for the highest lossless per-publisher rate up to `max` msg/s")
	capacityStart := fs.Int("capacity-start", 1000, "per-publisher rate the capacity search starts from")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	tsv := fs.String("tsv", "", "append the result as a TSV row to `file`")
	table := fs.String("table", "", "print the TSV `file` as a Markdown table and exit")
	baseline := fs.String("baseline", "mosquitto", "label of the broker the table's ratios refer to")
	scenario := fs.String("scenario", "", "`scenario` to run: slow-consumers, store-pressure, wildcard-pressure, idle-sessions, connection-rate, psk-handshakes or psk-throughput")
	slow := fs.Int("slow", load.DefaultSlow, "slow-consumers: subscribers that never read")
	rcvbuf := fs.Int("rcvbuf", load.DefaultReceiveBuffer, "slow-consumers: their socket receive buffer in `bytes`")
	slowFilter := fs.String("slow-filter", "", "slow-consumers: the filter they subscribe to (default: the topic + \"/#\")")
	sessions := fs.Int("sessions", 0, fmt.Sprintf("store-pressure, wildcard-pressure: persistent sessions (default %d and %d); idle-sessions: idle sessions (default %d)", load.DefaultStoreSessions, load.DefaultWildcardSessions, load.DefaultIdleSessions))
	stored := fs.Int("stored", load.DefaultStored, "store-pressure: QoS 1 messages published for each offline session")
	prefix := fs.String("prefix", load.DefaultTopicPrefix, "store-pressure: the offline sessions subscribe to `prefix`/<i>")
	filters := fs.Int("filters", load.DefaultWildcardFilters, "wildcard-pressure: filters per session")
	levels := fs.Int("levels", load.DefaultWildcardLevels, "wildcard-pressure: levels of each filter")
	subBytes := fs.Int("subscribe-bytes", load.DefaultMaxSubscribeBytes, "wildcard-pressure: largest SUBSCRIBE packet to send")
	idleBaseline := fs.Int("idle-baseline", load.DefaultIdleBaseline, "idle-sessions: sessions connected for the baseline routing run")
	concurrency := fs.Int("concurrency", 0, fmt.Sprintf("idle-sessions: sessions being set up at once (default %d); connection-rate, psk-handshakes: clients connecting at once (default %d)", load.DefaultIdleConcurrency, load.DefaultRateConcurrency))
	keepAlive := fs.Duration("keepalive", load.DefaultIdleKeepAlive, "idle-sessions: the idle sessions' keep alive")
	settle := fs.Duration("settle", load.DefaultIdleSettle, "idle-sessions: longest wait for the broker's memory to stop growing")
	pskAddr := fs.String("psk-addr", "127.0.0.1:8883", "psk-handshakes, psk-throughput: the broker's TLS-PSK listener `address`")
	pskIdentity := fs.String("psk-identity", "", "psk-handshakes, psk-throughput: the PSK `identity` to offer")
	pskKey := fs.String("psk-key", "", "psk-handshakes, psk-throughput: the PSK, in `hex`")
	pskKE := fs.Bool("psk-ke", false, "psk-handshakes, psk-throughput: offer psk_ke alone (the PSK only, no forward secrecy) instead of psk_dhe_ke over X25519")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: gatomqtt-load [flags]         run a load against a broker")
		fmt.Fprintln(fs.Output(), "       gatomqtt-load -table file.tsv  print earlier results as a Markdown table")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *table != "" {
		return printTable(stdout, *table, *baseline)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *scenario != "" {
		if *capacity > 0 {
			return errors.New("-capacity and -scenario do not go together")
		}
		var rep load.Report
		var err error
		switch *scenario {
		case "slow-consumers":
			if cfg.Count == 0 && cfg.Duration == 0 {
				cfg.Duration = defaultDuration
			}
			rep, err = load.RunSlowConsumers(ctx, load.SlowConsumers{Config: cfg, Slow: *slow, ReceiveBuffer: *rcvbuf, Filter: *slowFilter})
		case "store-pressure":
			rep, err = load.RunStorePressure(ctx, load.StorePressure{Config: cfg, Sessions: *sessions, Stored: *stored, TopicPrefix: *prefix})
		case "wildcard-pressure":
			if cfg.Count == 0 && cfg.Duration == 0 {
				cfg.Duration = defaultDuration
			}
			rep, err = load.RunWildcardPressure(ctx, load.WildcardPressure{Config: cfg, Sessions: *sessions, Filters: *filters, Levels: *levels, MaxSubscribeBytes: *subBytes})
		case "idle-sessions":
			rep, err = load.RunIdleSessions(ctx, load.IdleSessions{Config: cfg, Sessions: *sessions, Baseline: *idleBaseline,
				Concurrency: *concurrency, KeepAlive: *keepAlive, Settle: *settle})
		case "connection-rate", "psk-handshakes":
			cr := load.ConnectionRate{Addr: cfg.Addr, Label: cfg.Label, Concurrency: *concurrency, Duration: cfg.Duration, Count: cfg.Count}
			if *scenario == "psk-handshakes" {
				psk, perr := pskFlags(*pskIdentity, *pskKey, *pskKE)
				if perr != nil {
					return perr
				}
				cr.Addr, cr.PSK = *pskAddr, &psk
			}
			rep, err = load.RunConnectionRate(ctx, cr)
		case "psk-throughput":
			psk, perr := pskFlags(*pskIdentity, *pskKey, *pskKE)
			if perr != nil {
				return perr
			}
			if cfg.Dial, err = load.PSKDial(psk); err != nil {
				return err
			}
			if cfg.Count == 0 && cfg.Duration == 0 {
				cfg.Duration = defaultDuration
			}
			if cfg.Label == "" {
				cfg.Label = *pskAddr
			}
			cfg.Addr = *pskAddr
			// Rows of runs over TLS-PSK sit beside those over TCP in one
			// table: the name tells them apart.
			cfg.Name = "psk-" + cfg.Scenario()
			if psk.PSKOnly {
				cfg.Name = "psk_ke-" + cfg.Scenario()
			}
			rep, err = load.Run(ctx, cfg)
		default:
			return fmt.Errorf("unknown -scenario %q (want slow-consumers, store-pressure, wildcard-pressure, idle-sessions, connection-rate, psk-handshakes or psk-throughput)", *scenario)
		}
		if err != nil {
			return err
		}
		return report(stdout, rep, *asJSON, *tsv)
	}
	var res *load.Result
	var err error
	if *capacity > 0 {
		if cfg.Duration == 0 {
			cfg.Duration = defaultProbe
		}
		res, err = load.Capacity(ctx, cfg, *capacityStart, *capacity, func(r *load.Result, ok bool) {
			verdict := "kept up"
			if !ok {
				verdict = "fell behind or lost messages"
			}
			fmt.Fprintf(os.Stderr, "probe at %d msg/s per publisher: %s: %v\n", r.Config.Rate, verdict, r)
		})
		if err == nil && res.Config.Rate == *capacity {
			fmt.Fprintf(os.Stderr, "gatomqtt-load: the broker kept up at the ceiling of %d msg/s per publisher; raise -capacity for its real capacity\n", *capacity)
		}
	} else {
		if cfg.Count == 0 && cfg.Duration == 0 {
			cfg.Duration = defaultDuration
		}
		res, err = load.Run(ctx, cfg)
	}
	if err != nil {
		return err
	}
	return report(stdout, res, *asJSON, *tsv)
}

// report prints rep as a line or as JSON, and appends its TSV row to the
// file tsv if given.
func report(stdout io.Writer, rep load.Report, asJSON bool, tsv string) error {
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(stdout, rep)
	}
	if tsv != "" {
		return appendTSV(tsv, rep)
	}
	return nil
}

// pskFlags is the TLS-PSK client the -psk-* flags describe.
func pskFlags(identity, keyHex string, pskOnly bool) (load.PSK, error) {
	if identity == "" || keyHex == "" {
		return load.PSK{}, errors.New("-psk-identity and -psk-key are needed over TLS-PSK")
	}
	key, err := hex.DecodeString(keyHex)
	if err != nil {
		return load.PSK{}, fmt.Errorf("-psk-key: %w", err)
	}
	return load.PSK{Identity: identity, Key: key, PSKOnly: pskOnly}, nil
}

const (
	defaultDuration = 10 * time.Second
	defaultProbe    = 3 * time.Second
)

func appendTSV(name string, res load.Report) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err == nil && st.Size() == 0 {
		_, err = fmt.Fprintln(f, res.TSVHeader())
	}
	if err == nil {
		_, err = fmt.Fprintln(f, res.TSV())
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("append to %s: %w", name, err)
	}
	return nil
}

func printTable(w io.Writer, name, baseline string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	// A file of a scenario's rows starts with that scenario's header.
	first, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && err != io.EOF {
		return fmt.Errorf("%s: %w", name, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if strings.TrimSuffix(first, "\n") != load.TSVHeader {
		if err := load.WriteTSVTable(w, f); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	}
	rows, err := load.ReadTSV(f)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return load.WriteMarkdown(w, rows, baseline)
}
