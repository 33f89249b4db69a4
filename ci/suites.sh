#!/usr/bin/env bash
# Runs every conformance suite against one target and keeps its reports.
#   ci/suites.sh [target [suite dir...]]
# target: inproc (default) | inproc:pico | inproc:esp32c3 | mosquitto |
#         serial-twin:<board> | any target string (twin:pico, emulated:esp32c3, ...)
# "mosquitto" starts Debian's mosquitto through cmd/gatomqtt-peer (package
# peers, as the Go tests start it): a free loopback port, fixtures/mosquitto.conf
# and the acl_file fixtures/mosquitto.acl, plus the TLS-PSK listener of
# fixtures/mosquitto-psk.conf on a second free port with a fresh identity
# and key; the suites target the string it prints.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:-inproc}
shift || true
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=(suites)
reports=${GATOMQTT_REPORT_DIR:-reports}
mkdir -p "$reports"
export GATOMQTT_REPORT_DIR=$(cd "$reports" && pwd)
name=$(printf '%s' "$target" | tr -c 'A-Za-z0-9._-' '_')

cleanup=:
parallel=-p
trap 'eval "$cleanup"' EXIT

if [ "$target" = mosquitto ]; then
	dir=$(mktemp -d)
	go build -o "$dir/gatomqtt-peer" ./cmd/gatomqtt-peer
	# The peer prints its target string once mosquitto listens.
	exec 3< <(exec "$dir/gatomqtt-peer" -psk -acl -log "$reports/mosquitto.log" mosquitto)
	pid=$!
	cleanup="kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf '$dir'"
	read -r target <&3 || { echo "suites: mosquitto did not start (run ci/install-peers.sh)" >&2; exit 1; }
	pskkey=$(sed -n 's/.*psk_key=\([0-9a-f]*\).*/\1/p' <<<"$target")
fi

if [[ $target == serial-twin:* ]]; then
	# The serial target at a twin's pty, the twin started here and not by
	# the harness: what a user with a board on a serial port runs.
	board=${target#serial-twin:}
	dir=$(mktemp -d)
	go build -o "$dir/gatomqtt-twin" ./cmd/gatomqtt-twin
	# The twin serves TLS-PSK with a key drawn here; the hello names the
	# identity only, so the target is given the key, as for a board.
	pskkey=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
	pskid=gatomqtt-ci-$board
	exec 3< <(exec "$dir/gatomqtt-twin" -board "$board" -psk-identity "$pskid" -psk-key "$pskkey" 2>"$reports/twin-$board.log")
	pid=$!
	cleanup="kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf '$dir'"
	read -r pty <&3 || { echo "suites: the $board twin did not start; see $reports/twin-$board.log" >&2; exit 1; }
	target="serial://$pty?board=$board&psk_identity=$pskid&psk_key=$pskkey"
	# One board, one owner: a serial port serves one test process.
	parallel=
fi

shown=$target
[ -z "${pskkey:-}" ] || shown=${target//$pskkey/xxx}
echo "suites: target $shown"
start=$(date +%s.%N)
status=0
go tool ginkgo -r $parallel --keep-going --timeout=10m \
	--junit-report="junit-$name.xml" --output-dir="$reports" \
	"${dirs[@]}" -- --target="$target" || status=$?
awk -v s="$start" -v e="$(date +%s.%N)" -v t="$shown" 'BEGIN { printf "suites: %s took %.1fs\n", t, e - s }'
# The merged statement coverage of every run in the report folder so far:
# a table per statement and target in coverage.txt, the summary here.
go run ./cmd/gatomqtt-coverage -o "$GATOMQTT_REPORT_DIR/coverage.txt" -figures "$GATOMQTT_REPORT_DIR/figures.txt" "$GATOMQTT_REPORT_DIR"
grep '^coverage ' "$GATOMQTT_REPORT_DIR/coverage.txt" || true
exit $status
