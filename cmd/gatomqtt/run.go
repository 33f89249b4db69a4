package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gatomqtt/gatomqtt/boards"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/listen"
	"github.com/gatomqtt/gatomqtt/broker/mqttws"
	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/broker/sysstat"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk/psknet"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the broker failed while running
	exitUsage = 2 // bad flags or files: nothing was started
)

// options are the parsed command line.
type options struct {
	listen    string
	usersFile string
	aclFile   string
	verbose   bool
	limits    broker.Limits
	// sysInterval is the time between two $SYS updates; 0 publishes none.
	sysInterval time.Duration

	// pskListen and pskFile are both set or both empty (parseFlags
	// checks); pskNoDHE also accepts psk_ke; pskReveal answers an
	// unknown identity with unknown_psk_identity.
	pskListen string
	pskFile   string
	pskNoDHE  bool
	pskReveal bool

	// wsListen serves MQTT over WebSocket; wsOrigins, when set, are the
	// browser origins it accepts.
	wsListen  string
	wsOrigins string

	// serve is how the MQTT listener waits for its connections' bytes.
	serve listen.Model
}

// parseFlags reads args into options. Limit flags override the profile's
// values only when given, so `-profile pico -max-sessions 4` changes one
// field of the Pico limits.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("gatomqtt", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.listen, "listen", "127.0.0.1:1883", "TCP `address` to serve MQTT on")
	fs.StringVar(&o.usersFile, "users", "", "`file` of name:password lines; when absent any client may connect")
	fs.StringVar(&o.aclFile, "acl", "", "`file` of topic access rules in mosquitto's acl_file form (user, topic and pattern lines, access read|write|readwrite|deny, %c and %u in patterns); when absent every client may use every topic")
	fs.BoolVar(&o.verbose, "v", false, "log connections that end abnormally and the broker's notices (drops, refusals, slow subscribers, accept failures)")
	fs.StringVar(&o.pskListen, "psk-listen", "", "TCP `address` to serve MQTT over TLS 1.3 with external PSKs on (needs -psk-file)")
	fs.StringVar(&o.pskFile, "psk-file", "", "`file` of identity:hexkey lines (mosquitto's psk_file format), keys of 128 bits or more")
	fs.BoolVar(&o.pskNoDHE, "psk-allow-no-dhe", false, "also accept psk_ke, PSK-only key exchange without forward secrecy, for clients that offer only that")
	fs.BoolVar(&o.pskReveal, "psk-reveal-unknown-identity", false, "answer an unknown PSK identity with the alert unknown_psk_identity instead of decrypt_error, the wrong key's, which lets any client find out which identities exist")
	fs.StringVar(&o.wsListen, "ws-listen", "", "TCP `address` to serve MQTT over WebSocket on (subprotocol mqtt, any path), for browsers and MQTT.js")
	fs.StringVar(&o.wsOrigins, "ws-origins", "", "comma-separated browser `origins` the WebSocket listener accepts (such as https://app.example); default any, MQTT's login being what protects the broker")
	fs.DurationVar(&o.sysInterval, "sys-interval", 10*time.Second, "time between two updates of the broker's statistics under $SYS/broker/ (0: none), as mosquitto's sys_interval")
	serve := fs.String("serve", "epoll", "how the MQTT listener waits for its clients' bytes: epoll (a silent client holds no goroutine and no buffer; Linux, elsewhere goroutines), poller (a goroutine parked in Go's poller per client, no buffer) or goroutines (a goroutine and its read buffer per client)")
	profile := fs.String("profile", "host", "limit set to start from: host, pico or esp32c3")

	vals := map[string]*int{}
	for _, f := range limitFlags(new(broker.Limits)) {
		vals[f.name] = fs.Int(f.name, 0, f.usage+" (default: the profile's)")
	}
	minKA := fs.Uint("min-keepalive", 0, "smallest keep alive a client may ask for, seconds (default: the profile's)")
	maxKA := fs.Uint("max-keepalive", 0, "largest keep alive a client may ask for, seconds; 0 any (default: the profile's)")
	connectTimeout := fs.Duration("connect-timeout", 0, "wait for the first packet (default: the profile's)")
	expiry := fs.Duration("session-expiry", 0, "end a persistent session offline this long, as mosquitto's persistent_client_expiration; 0 never (default: the profile's)")
	evict := fs.Bool("evict-offline", true, "when the session table is full, let a new client take the place of the session offline longest instead of refusing it with CONNACK 3 (default: the profile's)")

	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if (o.pskListen == "") != (o.pskFile == "") {
		return o, errors.New("-psk-listen and -psk-file go together: give both or neither")
	}
	if o.sysInterval < 0 {
		return o, fmt.Errorf("-sys-interval must not be negative, got %v", o.sysInterval)
	}
	if o.pskNoDHE && o.pskListen == "" {
		return o, errors.New("-psk-allow-no-dhe needs -psk-listen")
	}
	if o.pskReveal && o.pskListen == "" {
		return o, errors.New("-psk-reveal-unknown-identity needs -psk-listen")
	}
	if o.wsOrigins != "" && o.wsListen == "" {
		return o, errors.New("-ws-origins needs -ws-listen")
	}
	var err error
	if o.serve, err = listen.ParseModel(*serve); err != nil {
		return o, fmt.Errorf("-serve: %w", err)
	}
	l, ok := boards.LimitsFor(*profile)
	if !ok {
		return o, fmt.Errorf("unknown -profile %q: want host, pico or esp32c3", *profile)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, f := range limitFlags(&l) {
		if !given[f.name] {
			continue
		}
		if v := *vals[f.name]; v < 0 {
			return o, fmt.Errorf("-%s must not be negative, got %d", f.name, v)
		}
		*f.dst = *vals[f.name]
	}
	for _, ka := range []struct {
		name string
		v    uint
		dst  *uint16
	}{{"min-keepalive", *minKA, &l.MinKeepAlive}, {"max-keepalive", *maxKA, &l.MaxKeepAlive}} {
		if !given[ka.name] {
			continue
		}
		if ka.v > 65535 {
			return o, fmt.Errorf("-%s must be at most 65535 seconds, got %d", ka.name, ka.v)
		}
		*ka.dst = uint16(ka.v)
	}
	if given["connect-timeout"] {
		l.ConnectTimeout = *connectTimeout
	}
	if given["session-expiry"] {
		if *expiry < 0 {
			return o, fmt.Errorf("-session-expiry must not be negative, got %v", *expiry)
		}
		l.SessionExpiry = *expiry
	}
	if given["evict-offline"] {
		l.EvictOfflineSessions = *evict
	}
	if !given["outbox"] && (given["max-topic"] || given["max-payload"] || given["max-packet"]) {
		// The profile's outbox holds the profile's largest packets, and
		// no flag but -outbox should have to be given to send larger ones.
		l.OutboxBytes = max(l.OutboxBytes, outboxNeeded(l))
	}
	if *profile == "host" && !given["max-sessions"] {
		l = sizeHost(l, memAvailable(), given)
	}
	o.limits = l
	return o, nil
}

type intFlag struct {
	name, usage string
	dst         *int
}

// limitFlags names the integer fields of l that flags may set.
func limitFlags(l *broker.Limits) []intFlag {
	if l == nil {
		l = new(broker.Limits)
	}
	return []intFlag{
		{"max-sessions", "sessions held at once, online and offline", &l.MaxSessions},
		{"max-connections", "byte streams served at once", &l.MaxConnections},
		{"max-pending", "byte streams served at once that have not completed CONNECT", &l.MaxPending},
		{"max-pending-per-source", "of those, from one IP address", &l.MaxPendingPerSource},
		{"max-subscriptions", "topic filters per session", &l.MaxSubscriptions},
		{"max-inflight", "unacknowledged QoS 1/2 messages per session", &l.MaxInflight},
		{"max-queued", "QoS 1/2 messages queued per session", &l.MaxQueued},
		{"max-messages", "message bodies stored broker-wide", &l.MaxMessages},
		{"max-offline-messages", "QoS 1/2 messages held for offline sessions, all together (0: half of -max-messages)", &l.MaxOfflineMessages},
		{"max-retained", "retained messages", &l.MaxRetained},
		{"max-topic", "topic length in bytes", &l.MaxTopicLength},
		{"max-topic-levels", "levels of a SUBSCRIBE filter; deeper ones get SUBACK 0x80", &l.MaxTopicLevels},
		{"subscription-nodes", "subscription tree nodes per subscription slot", &l.SubscriptionNodes},
		{"max-payload", "payload size in bytes", &l.MaxPayloadSize},
		{"max-packet", "packet size in bytes", &l.MaxPacketSize},
		{"outbox", "bytes of each of a connection's two outbox buffers (default: the profile's, raised to hold the largest PUBLISH and SUBACK the size flags allow)", &l.OutboxBytes},
		{"rate", "PUBLISH packets per second per session (0: unlimited)", &l.PublishRate},
		{"burst", "PUBLISH burst per session", &l.PublishBurst},
	}
}

// outboxNeeded is the least Limits.OutboxBytes that New accepts with l:
// room for the largest PUBLISH (QoS 1 or 2, longest topic, largest
// payload) and for the SUBACK to the SUBSCRIBE of the most one-byte
// filters that fits in MaxPacketSize. It repeats the rule of package
// broker, which exports no function for it; a figure too small here would
// only make New refuse the limits, as before.
func outboxNeeded(l broker.Limits) int {
	n := 2 + l.MaxTopicLength + 2 + l.MaxPayloadSize
	publish := packet.HeaderSize(n) + n
	filters := (l.MaxPacketSize - 2 - 2) / 4
	for filters > 0 && packet.HeaderSize(2+4*filters)+2+4*filters > l.MaxPacketSize {
		filters--
	}
	suback := packet.HeaderSize(2+filters) + 2 + filters
	return max(publish, suback)
}

// run is the whole program but for signals and os.Exit, so tests drive it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runReloading(ctx, args, stdout, stderr, nil)
}

// runReloading is run that also rereads the users, ACL and PSK files each
// time reload receives (main passes SIGHUP, as mosquitto takes it), and
// logs what changed or why it keeps the configuration in force.
func runReloading(ctx context.Context, args []string, stdout, stderr io.Writer, reload <-chan os.Signal) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "gatomqtt: %v\n", err)
		return exitUsage
	}
	files, err := readFiles(o)
	if err != nil {
		fmt.Fprintf(stderr, "gatomqtt: %v\n", err)
		return exitUsage
	}
	cfg := broker.Config{Limits: o.limits, Users: files.users, ACL: files.acl}
	var (
		pskCfg *tlspsk.Config
		keys   pskKeys
	)
	if o.pskFile != "" {
		keys.set(files.psks)
		pskCfg = pskConfig(o, &keys)
	}
	lg := newLogger(stderr)
	defer lg.Close(time.Second)
	if o.verbose {
		cfg.Logf = lg.Logf
	}
	b, err := broker.New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "gatomqtt: %v\n", err)
		return exitUsage
	}
	setGCPercent()
	lc := listen.Config()
	ln, err := lc.Listen(ctx, "tcp", o.listen)
	if err != nil {
		b.Close()
		fmt.Fprintf(stderr, "gatomqtt: %v\n", err)
		return exitUsage
	}
	lns := []listener{{ln, func(ctx context.Context, ln net.Listener, b *broker.Broker) error {
		return listen.ServeModel(ctx, ln, b, o.serve)
	}}}
	auth := "anonymous clients allowed"
	if len(cfg.Users) > 0 {
		auth = fmt.Sprintf("%d users", len(cfg.Users))
	}
	if files.acl != nil {
		auth += fmt.Sprintf(", ACL of %d rules", len(files.acl))
	}
	line := fmt.Sprintf("gatomqtt: MQTT on %s (%s, %d sessions, %d KiB of broker state, committed as used)",
		ln.Addr(), auth, b.Limits().MaxSessions, b.Stats().StateBytes>>10)
	if pskCfg != nil {
		pln, err := lc.Listen(ctx, "tcp", o.pskListen)
		if err != nil {
			ln.Close()
			b.Close()
			fmt.Fprintf(stderr, "gatomqtt: -psk-listen: %v\n", err)
			return exitUsage
		}
		lns = append(lns, listener{psknet.NewListener(pln, pskCfg), listen.Serve})
		line += fmt.Sprintf("; MQTT over TLS-PSK on %s (%d %s, %s)", pln.Addr(), len(files.psks), identities(len(files.psks)), modeNames(pskCfg.KeyExchangeModes))
	}
	if o.wsListen != "" {
		wln, err := lc.Listen(ctx, "tcp", o.wsListen)
		if err != nil {
			for _, l := range lns {
				l.ln.Close()
			}
			b.Close()
			fmt.Fprintf(stderr, "gatomqtt: -ws-listen: %v\n", err)
			return exitUsage
		}
		wo := mqttws.HandlerOptions{}
		if o.wsOrigins != "" {
			wo.Origins = strings.Split(o.wsOrigins, ",")
		}
		lns = append(lns, listener{wln, func(ctx context.Context, ln net.Listener, b *broker.Broker) error {
			return mqttws.Serve(ctx, ln, b, wo)
		}})
		line += fmt.Sprintf("; MQTT over WebSocket on ws://%s/", wln.Addr())
	}
	fmt.Fprintln(stdout, line)

	// Reloads and $SYS updates run beside the listeners, and stop before
	// the broker closes.
	var side sync.WaitGroup
	sideCtx, stopSide := context.WithCancel(ctx)
	side.Add(1)
	go func() {
		defer side.Done()
		for {
			select {
			case <-sideCtx.Done():
				return
			case <-reload:
				files = reloadFiles(o, b, &keys, files, lg)
			}
		}
	}()
	if o.sysInterval > 0 {
		side.Add(1)
		go func() {
			defer side.Done()
			if err := sysstat.Run(sideCtx, b, o.sysInterval); sideCtx.Err() == nil {
				lg.Logf("$SYS updates stopped: %v", err)
			}
		}()
	}
	err = serve(ctx, lns, b)
	stopSide()
	side.Wait()
	closeErr := b.Close()
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		err = closeErr
	}
	if err != nil {
		lg.Logf("%v", err)
		return exitError
	}
	return exitOK
}

// A listener is a listening socket and how its connections are served.
type listener struct {
	ln    net.Listener
	serve func(context.Context, net.Listener, *broker.Broker) error
}

// serve serves b on every listener until ctx is done or one of them fails,
// which stops the others. It returns the first listener's error.
func serve(ctx context.Context, lns []listener, b *broker.Broker) error {
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	errc := make(chan error, len(lns))
	for _, l := range lns {
		go func() { errc <- l.serve(sctx, l.ln, b) }()
	}
	first := <-errc
	stop()
	for range len(lns) - 1 {
		<-errc
	}
	return first
}
