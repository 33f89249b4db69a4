#!/usr/bin/env bash
# Side-by-side benchmark: this project's broker (cmd/gatomqtt), mosquitto and
# mochi-mqtt v2, driven by the same load tool (cmd/gatomqtt-load) on loopback,
# one broker at a time, each scenario against a freshly started broker.
#
# Usage (from anywhere):
#   bench/run.sh                          # all brokers, 10 s per scenario
#   BROKERS="mosquitto mochi" bench/run.sh
#   DURATION=5s WARMUP=1s bench/run.sh
#
# Environment:
#   BROKERS    brokers to run, in order (default "gatomqtt mosquitto mochi")
#   DURATION   measured publishing time per scenario (default 10s)
#   WARMUP     unrecorded run before each measured one (default 2s)
#   SIZE       payload bytes (default 64)
#   RATE       per-publisher rate of the fixed-rate scenarios (default 5000)
#   CAPACITY   comma-separated "publishers subscribers qos" scenarios whose
#              highest lossless rate is searched for (default "4 1 0,4 1 1";
#              empty: no search)
#   PROBE      publishing time of each probe of that search (default 3s)
#   CAPACITY_MAX  per-publisher rate the search stops at (default 1000000)
#   PORT       loopback port the brokers listen on (default 18830)
#   OUT        directory for binaries, configs, logs and results
#              (default bench/out/<UTC timestamp>)
#   GATOMQTT_ARGS  arguments for cmd/gatomqtt; "{addr}" is replaced by the
#              listen address (default "-listen {addr}")
#   SCENARIOS  which sections to run: "standard" (the scenarios and the
#              capacity search, the default), "attacks" (the attack
#              scenarios of gatomqtt-load -scenario), "idle" (the
#              idle-sessions scenario), "rate" (connection-rate, psk-handshakes
#              and psk-throughput, over the brokers' TLS-PSK listeners), or
#              several, such as "standard attacks"
#   ATTACK_BROKERS  brokers the attack scenarios run against, among BROKERS
#              (default "gatomqtt mosquitto")
#   ATTACK_DURATION  publishing time of each run of slow-consumers and of
#              each of the two runs of wildcard-pressure (default 5s)
#
#   IDLE_SESSIONS  idle sessions of the idle-sessions scenario (default 2000);
#              it runs against IDLE_BROKERS, gatomqtt started with
#              -max-sessions and -max-connections raised to fit, and
#              the open-file limit is raised for the brokers and the load tool
#   IDLE_BASELINE  sessions connected for its baseline routing run (default 100)
#   IDLE_COUNT  messages of each routing run (default 100000)
#   IDLE_QOS   QoS of the routing runs, one idle-sessions run each (default "1")
#   IDLE_CONCURRENCY  sessions being set up at once (default 64)
#   IDLE_BROKERS  brokers of the idle-sessions runs (default "gatomqtt
#              gatomqtt-poller gatomqtt-goroutines mosquitto"): gatomqtt-X
#              is gatomqtt with -serve X, to compare the serving models
#
#   RATE_CONCURRENCY  clients connecting at once in the connection-rate and
#              psk-handshakes scenarios (default 16)
#   RATE_DURATION  time of each of those runs and of each psk-throughput run
#              (default 5s)
#   RATE_QOS   QoS of the psk-throughput runs, one run each (default "0 1")
#   PSK_PORT   loopback port of gatomqtt's TLS-PSK listener (default PORT+1;
#              mosquitto's is a free port gatomqtt-peer picks)
#
#   SCENARIOS=attacks BROKERS="gatomqtt mosquitto" bench/run.sh  # attacks only
#   SCENARIOS=rate BROKERS="gatomqtt mosquitto" bench/run.sh     # connections and TLS-PSK
#   IDLE_SESSIONS=100000 SCENARIOS=idle BROKERS="gatomqtt mosquitto" bench/run.sh
#
# Output: progress on stderr; on stdout a Markdown report (machine, settings,
# the table with ratios against mosquitto). The raw rows stay in
# $OUT/results.tsv.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
BROKERS=${BROKERS:-"gatomqtt mosquitto mochi"}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
SIZE=${SIZE:-64}
RATE=${RATE:-5000}
CAPACITY=${CAPACITY-"4 1 0,4 1 1"}
PROBE=${PROBE:-3s}
CAPACITY_MAX=${CAPACITY_MAX:-1000000}
PORT=${PORT:-18830}
OUT=${OUT:-$root/bench/out/$(date -u +%Y%m%dT%H%M%SZ)}
GATOMQTT_ARGS=${GATOMQTT_ARGS:-"-listen {addr}"}
SCENARIOS=${SCENARIOS:-standard}
ATTACK_BROKERS=${ATTACK_BROKERS:-"gatomqtt mosquitto"}
ATTACK_DURATION=${ATTACK_DURATION:-5s}
IDLE_SESSIONS=${IDLE_SESSIONS:-2000}
IDLE_BASELINE=${IDLE_BASELINE:-100}
IDLE_COUNT=${IDLE_COUNT:-100000}
IDLE_QOS=${IDLE_QOS:-1}
IDLE_CONCURRENCY=${IDLE_CONCURRENCY:-64}
IDLE_BROKERS=${IDLE_BROKERS:-"gatomqtt gatomqtt-poller gatomqtt-goroutines mosquitto"}
RATE_CONCURRENCY=${RATE_CONCURRENCY:-16}
RATE_DURATION=${RATE_DURATION:-5s}
RATE_QOS=${RATE_QOS:-"0 1"}
PSK_PORT=${PSK_PORT:-$((PORT + 1))}
MOSQUITTO=${MOSQUITTO:-/usr/sbin/mosquitto}
addr=127.0.0.1:$PORT

# Scenarios: publishers subscribers qos rate (0: as fast as the broker takes them).
scenarios=(
	"4 1 0 0"
	"4 1 1 0"
	"1 4 0 0"
	"1 4 1 0"
	"4 1 0 $RATE"
	"4 1 1 $RATE"
)

log() { printf '%s\n' "$*" >&2; }
die() { log "bench: $*"; exit 1; }

want() { [[ " $SCENARIOS " == *" $1 "* ]]; }
for sec in $SCENARIOS; do
	case $sec in standard | attacks | idle | rate) ;; *) die "unknown section $sec in SCENARIOS (want standard, attacks, idle, rate)" ;; esac
done

mkdir -p "$OUT/bin"
results=$OUT/results.tsv
: >"$results"

# --- build ------------------------------------------------------------------
log "building into $OUT/bin"
(cd "$root" && go build -o "$OUT/bin/gatomqtt-load" ./cmd/gatomqtt-load)
for b in $BROKERS; do
	case $b in
	gatomqtt)
		[ -d "$root/cmd/gatomqtt" ] || die "cmd/gatomqtt does not exist yet; run with BROKERS=\"mosquitto mochi\" until it does"
		(cd "$root" && go build -o "$OUT/bin/gatomqtt" ./cmd/gatomqtt)
		;;
	mochi)
		(cd "$root/bench" && go build -o "$OUT/bin/mochi" ./cmd/mochi)
		;;
	mosquitto)
		[ -x "$MOSQUITTO" ] || die "$MOSQUITTO not found (apt-get install mosquitto)"
		(cd "$root" && go build -o "$OUT/bin/gatomqtt-peer" ./cmd/gatomqtt-peer)
		;;
	*) die "unknown broker $b (want gatomqtt, mosquitto or mochi)" ;;
	esac
done

# mosquitto is started as the conformance runs start it (cmd/gatomqtt-peer
# over fixtures/mosquitto.conf: no persistence, quiet logs), with these
# lines after it: no queue limit (max_queued_messages 0 means unlimited), so
# that it queues rather than drops; Debian's default of 20 messages in
# flight per client; TCP_NODELAY on client sockets, as Go sets it on every
# TCP connection of the other two brokers (without it mosquitto's p99 at a
# fixed rate is tens of milliseconds of Nagle delay). mosquitto is
# single-threaded.
mosquitto_config=(-config "max_queued_messages 0" -config "max_inflight_messages 20" -config "set_tcp_nodelay true")

# --- broker lifecycle ---------------------------------------------------------
broker_pid= # the broker's process, whose memory and CPU are measured
stop_pid=   # the process to stop it by (gatomqtt-peer, for mosquitto)
extra_gatomqtt_args=()    # flags of one section for cmd/gatomqtt
extra_mosquitto_config=() # -config arguments of one section for mosquitto
extra_peer_args=()        # other arguments of one section for gatomqtt-peer
peer_target=              # the target line gatomqtt-peer printed

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/${1:-$PORT}") 2>/dev/null; }

start_broker() {
	local name=$1 logfile=$OUT/$1.log
	port_open && die "port $PORT is already in use; set PORT"
	case $name in
	gatomqtt) "$OUT/bin/gatomqtt" ${GATOMQTT_ARGS//\{addr\}/$addr} "${extra_gatomqtt_args[@]}" >>"$logfile" 2>&1 & ;;
	gatomqtt-poller | gatomqtt-goroutines)
		"$OUT/bin/gatomqtt" ${GATOMQTT_ARGS//\{addr\}/$addr} -serve "${name#gatomqtt-}" "${extra_gatomqtt_args[@]}" >>"$logfile" 2>&1 &
		;;
	mosquitto)
		# gatomqtt-peer prints the target once mosquitto listens.
		exec 4< <(GATOMQTT_MOSQUITTO=$MOSQUITTO exec "$OUT/bin/gatomqtt-peer" -port "$PORT" "${mosquitto_config[@]}" "${extra_mosquitto_config[@]}" \
			"${extra_peer_args[@]}" -pidfile "$OUT/mosquitto.pid" -log "$logfile" mosquitto 2>>"$logfile")
		stop_pid=$!
		read -r peer_target <&4 || die "mosquitto did not start; see $logfile"
		broker_pid=$(cat "$OUT/mosquitto.pid")
		return 0
		;;
	mochi) "$OUT/bin/mochi" -listen "$addr" >>"$logfile" 2>&1 & ;;
	esac
	broker_pid=$! stop_pid=$!
	# Wait, at most 10 s, for the listener.
	for _ in $(seq 200); do
		port_open && return 0
		kill -0 "$broker_pid" 2>/dev/null || die "$name exited at start; see $logfile"
		sleep 0.05
	done
	die "$name did not listen on $addr within 10 s; see $logfile"
}

stop_broker() {
	[ -n "$stop_pid" ] || return 0
	kill "$stop_pid" 2>/dev/null || true
	wait "$stop_pid" 2>/dev/null || true
	broker_pid= stop_pid=
}
trap stop_broker EXIT

# --- runs -------------------------------------------------------------------
want standard || scenarios=()
want standard || CAPACITY=
for sc in "${scenarios[@]}"; do
	read -r pubs subs qos rate <<<"$sc"
	for b in $BROKERS; do
		start_broker "$b"
		common=(-addr "$addr" -pubs "$pubs" -subs "$subs" -qos "$qos" -size "$SIZE" -rate "$rate" -label "$b")
		"$OUT/bin/gatomqtt-load" "${common[@]}" -duration "$WARMUP" >/dev/null
		"$OUT/bin/gatomqtt-load" "${common[@]}" -duration "$DURATION" -pid "$broker_pid" -tsv "$results" >&2
		stop_broker
	done
done

# Capacity: the highest per-publisher rate each broker sustains without
# loss or lag, found by probe runs (see gatomqtt-load -capacity).
IFS=, read -r -a capacity <<<"$CAPACITY"
for sc in "${capacity[@]}"; do
	read -r pubs subs qos <<<"$sc"
	for b in $BROKERS; do
		start_broker "$b"
		"$OUT/bin/gatomqtt-load" -addr "$addr" -pubs "$pubs" -subs "$subs" -qos "$qos" -size "$SIZE" -label "$b" \
			-duration "$WARMUP" >/dev/null
		"$OUT/bin/gatomqtt-load" -addr "$addr" -pubs "$pubs" -subs "$subs" -qos "$qos" -size "$SIZE" -label "$b" \
			-capacity "$CAPACITY_MAX" -duration "$PROBE" -pid "$broker_pid" -tsv "$results" >&2 2>>"$OUT/capacity-probes.log" ||
			log "$b: no capacity figure for $pubs $subs $qos (see $OUT/capacity-probes.log)"
		stop_broker
	done
done

# Attack scenarios (gatomqtt-load -scenario): each against a freshly started
# broker, one TSV file per scenario, since each has its own columns.
# wildcard-pressure-32 is wildcard-pressure with filters of 32 levels, which
# gatomqtt's default -max-topic-levels accepts (it refuses those of 125).
attacks=(slow-consumers store-pressure wildcard-pressure wildcard-pressure-32)
attack_scenario() { echo "${1%-32}"; }
attack_args() {
	case $1 in
	wildcard-pressure-32) echo "-sessions 250 -filters 32 -levels 32 -pubs 1 -subs 1 -qos 1 -duration $ATTACK_DURATION -size $SIZE" ;;
	slow-consumers) echo "-slow 100 -rcvbuf 4096 -duration $ATTACK_DURATION -size $SIZE" ;;
	store-pressure) echo "-sessions 4 -stored 1024 -count 100 -size $SIZE" ;;
	wildcard-pressure) echo "-sessions 250 -filters 32 -levels 125 -pubs 1 -subs 1 -qos 1 -duration $ATTACK_DURATION -size $SIZE" ;;
	esac
}
if want attacks; then
	for a in "${attacks[@]}"; do
		: >"$OUT/$a.tsv"
		for b in $ATTACK_BROKERS; do
			[[ " $BROKERS " == *" $b "* ]] || continue
			start_broker "$b"
			# shellcheck disable=SC2046 # the arguments are words
			"$OUT/bin/gatomqtt-load" -addr "$addr" -label "$b" -scenario "$(attack_scenario "$a")" $(attack_args "$a") -tsv "$OUT/$a.tsv" >&2 ||
				log "$b: $a failed"
			stop_broker
		done
	done
fi

# Idle sessions (gatomqtt-load -scenario idle-sessions): IDLE_SESSIONS
# clients that connect, subscribe to a filter of their own and stay idle,
# against each broker, with the broker's pid for its memory. Every
# session costs a file descriptor in the broker and one in the load tool:
# the limit is raised for both (the hard limit too, as root). gatomqtt's
# host profile sizes its sessions from the memory available; the flags
# make room for all the sessions and the routing runs' two clients
# whatever that is. mosquitto
# takes max_connections -1 (no limit) explicitly.
if want idle; then
	files=$((IDLE_SESSIONS + 4096))
	if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt "$files" ]; then
		ulimit -Hn "$files" 2>/dev/null || log "bench: cannot raise the hard open-file limit to $files (needs root with CAP_SYS_RESOURCE); gatomqtt-load says whether $IDLE_SESSIONS fit"
	fi
	ulimit -Sn "$(ulimit -Hn)"
	idle_sessions=$((IDLE_SESSIONS + 16))
	extra_gatomqtt_args=(-max-sessions "$idle_sessions" -max-connections "$((idle_sessions + idle_sessions / 4 + 2))")
	extra_mosquitto_config=(-config "max_connections -1")
	: >"$OUT/idle-sessions.tsv"
	for qos in $IDLE_QOS; do
		for b in $IDLE_BROKERS; do
			[[ " $BROKERS " == *" ${b%%-*} "* ]] || continue
			start_broker "$b"
			"$OUT/bin/gatomqtt-load" -addr "$addr" -label "$b" -scenario idle-sessions -sessions "$IDLE_SESSIONS" \
				-idle-baseline "$IDLE_BASELINE" -concurrency "$IDLE_CONCURRENCY" -count "$IDLE_COUNT" -qos "$qos" -size "$SIZE" \
				-pid "$broker_pid" -tsv "$OUT/idle-sessions.tsv" >&2 ||
				log "$b: idle-sessions at QoS $qos failed"
			stop_broker
		done
	done
	extra_gatomqtt_args=() extra_mosquitto_config=()
fi

# Connections and TLS-PSK (gatomqtt-load -scenario connection-rate,
# psk-handshakes, psk-throughput), each run against a freshly started
# broker with a TLS-PSK listener: gatomqtt with -psk-listen on PSK_PORT and
# a psk file of one identity written here, mosquitto with the listener of
# fixtures/mosquitto-psk.conf (gatomqtt-peer -psk, which makes its own
# identity, key and port and prints them in its target line). Both take
# psk_dhe_ke over X25519, what the load tool offers; mosquitto refuses
# psk_ke alone (fixtures/peers). gatomqtt's host profile lets 8
# connections from one address wait for their CONNACK and closes the
# oldest for a ninth: the flag makes room for RATE_CONCURRENCY.
if want rate; then
	psk_key=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
	printf 'bench:%s\n' "$psk_key" >"$OUT/psk.txt"
	extra_gatomqtt_args=(-psk-listen "127.0.0.1:$PSK_PORT" -psk-file "$OUT/psk.txt")
	extra_peer_args=(-psk)
	: >"$OUT/rate.tsv"
	: >"$OUT/psk-throughput.tsv"
	# rate_run broker args...: one gatomqtt-load run against a freshly
	# started broker, with the -psk-* flags of its listener.
	rate_run() {
		local b=$1
		shift
		start_broker "$b"
		local psk=(-psk-addr "127.0.0.1:$PSK_PORT" -psk-identity bench -psk-key "$psk_key")
		if [ "$b" = mosquitto ]; then
			# gatomqtt-peer chose the listener's port, identity and key.
			local q=${peer_target#*\?} f kv paddr='' id='' key=''
			IFS='&' read -r -a kv <<<"${q//%3A/:}"
			for f in "${kv[@]}"; do
				case $f in psk=*) paddr=${f#psk=} ;; psk_identity=*) id=${f#psk_identity=} ;; psk_key=*) key=${f#psk_key=} ;; esac
			done
			[ -n "$paddr" ] && [ -n "$key" ] || die "no TLS-PSK listener in mosquitto's target $peer_target"
			psk=(-psk-addr "$paddr" -psk-identity "$id" -psk-key "$key")
		else
			# gatomqtt opens its TLS-PSK listener just after the plain one.
			for _ in $(seq 200); do
				port_open "$PSK_PORT" && break
				sleep 0.05
			done
		fi
		"$OUT/bin/gatomqtt-load" -addr "$addr" "${psk[@]}" -label "$b" -pid "$broker_pid" "$@" >&2 || log "$b: $* failed"
		stop_broker
	}
	for sc in connection-rate psk-handshakes; do
		for b in $ATTACK_BROKERS; do
			[[ " $BROKERS " == *" $b "* ]] || continue
			rate_run "$b" -scenario "$sc" -concurrency "$RATE_CONCURRENCY" -duration "$RATE_DURATION" -tsv "$OUT/rate.tsv"
		done
	done
	for qos in $RATE_QOS; do
		for b in $ATTACK_BROKERS; do
			[[ " $BROKERS " == *" $b "* ]] || continue
			rate_run "$b" -scenario psk-throughput -qos "$qos" -size "$SIZE" -duration "$WARMUP" >/dev/null 2>&1 # warm-up
			rate_run "$b" -scenario psk-throughput -qos "$qos" -size "$SIZE" -duration "$RATE_DURATION" -tsv "$OUT/psk-throughput.tsv"
		done
	done
	extra_gatomqtt_args=() extra_peer_args=()
fi

# --- report -----------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mosq_version=$("$MOSQUITTO" -h 2>/dev/null | sed -n 's/^mosquitto version //p' | head -1 || true)
mochi_version=$(cd "$root/bench" && go list -m -f '{{.Version}}' github.com/mochi-mqtt/server/v2)
cat <<EOF
Run of $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores ($cpu), $(free -g | awk '/^Mem:/ {print $2}') GiB,
Linux $(uname -r), $(go version | cut -d' ' -f3). Load average before the report: $(cut -d' ' -f1-3 /proc/loadavg).
Brokers: ${BROKERS// /, } (mosquitto ${mosq_version:-?}, mochi-mqtt $mochi_version), one at a time on $addr,
freshly started for each scenario.
EOF
if want standard; then
	cat <<EOF
Each scenario: $WARMUP warm-up (not recorded), then $DURATION of
publishing, $SIZE-byte payloads; scenario names read publishers-subscribers-QoS-size[-rate per publisher].
Rows named -max give, for each broker, the fastest of the probe runs ($PROBE each) that lost nothing
and delivered at least 95 % of the offered rate: the highest load it sustains.

EOF
	"$OUT/bin/gatomqtt-load" -table "$results" -baseline mosquitto
	log "rows in $results"
fi
if want attacks; then
	cat <<EOF

### Attack scenarios

Each against a freshly started broker (${ATTACK_BROKERS// /, }), $SIZE-byte payloads, all at QoS 1.

- **slow-consumers**: 100 subscribers of the run topic's \`/#\` with a 4 KiB socket
  receive buffer that never read, beside one publisher and one fast subscriber,
  publishing for $ATTACK_DURATION. "Held max" is the longest a PUBLISH waited for its PUBACK.
- **store-pressure**: 4 persistent sessions subscribe \`att/<i>\` and go away; 1024
  QoS 1 messages are published to each; then 100 to an online subscriber.
- **wildcard-pressure**: 1 publisher → 1 subscriber for $ATTACK_DURATION, before and
  after 250 persistent sessions subscribe 32 filters of 125 levels each; ratio is after / before.
  gatomqtt refuses filters of more than 32 levels (SUBACK 0x80, counted as refused), so the
  second table repeats it with filters of 32 levels, which both brokers grant.

EOF
	for a in "${attacks[@]}"; do
		if [ -s "$OUT/$a.tsv" ]; then
			"$OUT/bin/gatomqtt-load" -table "$OUT/$a.tsv"
			echo
		fi
	done
	log "attack rows in $OUT/slow-consumers.tsv, store-pressure.tsv and wildcard-pressure.tsv"
fi
if want idle && [ -s "$OUT/idle-sessions.tsv" ]; then
	cat <<EOF

### Idle sessions

Each broker (${IDLE_BROKERS// /, }) freshly started; $IDLE_SESSIONS clients connect (clean session,
keep alive 60 s) and subscribe to idle/<i>, $IDLE_CONCURRENCY being set up at once. bytes/session is the
growth of the broker's RSS from before the first session to all held, per held session. Routing:
one publisher → one subscriber of idle/$IDLE_SESSIONS, $IDLE_COUNT messages of $SIZE bytes as fast as
the broker takes them, beside $IDLE_BASELINE sessions (baseline) and beside all (routed), after an
unrecorded warm-up run before the first session; ratio is routed / baseline msg/s.

EOF
	"$OUT/bin/gatomqtt-load" -table "$OUT/idle-sessions.tsv"
	# Memory per session of each broker as a multiple of mosquitto's, for
	# each scenario (column 9 is bytes/session).
	awk -F'\t' '$1 != "broker" && $9 != "" { per[$2, $1] = $9; if ($1 == "mosquitto") base[$2] = $9 }
		END { for (k in per) { split(k, f, SUBSEP); if (f[2] != "mosquitto" && base[f[1]] > 0)
			printf "\n%s: bytes per session, %s / mosquitto = %.2f\n", f[1], f[2], per[k] / base[f[1]] } }' "$OUT/idle-sessions.tsv"
	log "idle-sessions rows in $OUT/idle-sessions.tsv"
fi
if want rate && [ -s "$OUT/rate.tsv" ]; then
	cat <<EOF

### Connections and TLS-PSK

Each run against a freshly started broker (${ATTACK_BROKERS// /, }) with a TLS 1.3 external-PSK
listener. connection-rate: $RATE_CONCURRENCY clients each loop TCP connect, CONNECT (clean session),
CONNACK, DISCONNECT, close for $RATE_DURATION; psk-handshakes: the same over TLS-PSK (psk_dhe_ke over
X25519), the MQTT exchange inside TLS. Latency runs from the connect to the CONNACK. psk-throughput:
one publisher → one subscriber over TLS-PSK for $RATE_DURATION after an unrecorded $WARMUP run,
$SIZE-byte payloads, as fast as the broker takes them.

EOF
	"$OUT/bin/gatomqtt-load" -table "$OUT/rate.tsv"
	# Connections per second (column 11) and p99 (column 13) of each
	# broker as a multiple of mosquitto's, for each scenario.
	awk -F'\t' '$1 != "broker" { rate[$2, $1] = $11; p99[$2, $1] = $13; if ($1 == "mosquitto") { brate[$2] = $11; bp99[$2] = $13 } }
		END { for (k in rate) { split(k, f, SUBSEP); if (f[2] != "mosquitto" && brate[f[1]] > 0 && bp99[f[1]] > 0)
			printf "\n%s: connections/s, %s / mosquitto = %.2f; p99 %.2f\n", f[1], f[2], rate[k] / brate[f[1]], p99[k] / bp99[f[1]] } }' "$OUT/rate.tsv"
	if [ -s "$OUT/psk-throughput.tsv" ]; then
		echo
		"$OUT/bin/gatomqtt-load" -table "$OUT/psk-throughput.tsv" -baseline mosquitto
	fi
	log "rate rows in $OUT/rate.tsv and $OUT/psk-throughput.tsv"
fi
