#!/usr/bin/env bash
# Runs every conformance suite against one target and keeps its reports.
#   ci/suites.sh [target [suite dir...]]
# target: inproc (default) | inproc:pico | inproc:esp32c3 | mosquitto | any target string
# "mosquitto" starts Debian's mosquitto on a free loopback port with
# fixtures/mosquitto.conf and the acl_file fixtures/mosquitto.acl, plus the
# TLS-PSK listener of fixtures/mosquitto-psk.conf on a second free port
# with a fresh identity and key, and targets it as
# tcp://127.0.0.1:PORT?peer=mosquitto&psk=127.0.0.1:PSKPORT&psk_identity=..&psk_key=..&denied=gatodenied
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
trap 'eval "$cleanup"' EXIT

if [ "$target" = mosquitto ]; then
	bin=$(command -v mosquitto || echo /usr/sbin/mosquitto)
	[ -x "$bin" ] || { echo "suites: mosquitto is not installed (run ci/install-peers.sh)" >&2; exit 1; }
	read -r port pskport < <(comm -23 <(seq 20000 40000 | sort) <(ss -Htan | awk '{print $4}' | sed 's/.*://' | sort -u) | shuf -n 2 | xargs)
	dir=$(mktemp -d)
	pskid=gato-ci-$$
	pskkey=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
	echo "$pskid:$pskkey" >"$dir/psk.txt"
	cp fixtures/mosquitto.acl "$dir/mosquitto.acl"
	# mosquitto started as root reads the psk and acl files after dropping to its own user.
	chmod 755 "$dir" && chmod 644 "$dir/psk.txt" "$dir/mosquitto.acl"
	{
		sed "s/^listener PORT/listener $port/" fixtures/mosquitto.conf
		# Publishing below gatodenied/ is denied (declared as denied=gatodenied).
		echo "acl_file $dir/mosquitto.acl"
		awk '/^listener PSKPORT/ { on = 1 } on' fixtures/mosquitto-psk.conf |
			sed -e "s/^listener PSKPORT/listener $pskport/" -e "s|^psk_file PSKFILE|psk_file $dir/psk.txt|"
	} >"$dir/mosquitto.conf"
	"$bin" -c "$dir/mosquitto.conf" >"$reports/mosquitto-$port.log" 2>&1 &
	pid=$!
	cleanup="kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf '$dir'"
	up=
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && { up=1; break; }
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$up" ]; then
		echo "suites: mosquitto did not listen on 127.0.0.1:$port within 10s; its log:" >&2
		cat "$reports/mosquitto-$port.log" >&2
		exit 1
	fi
	# fixtures/mosquitto-psk.conf lists the CCM suites beside GCM.
	target="tcp://127.0.0.1:$port?peer=mosquitto&psk=127.0.0.1:$pskport&psk_identity=$pskid&psk_key=$pskkey&psk_suites=gcm,ccm,ccm8&denied=gatodenied"
fi

shown=$target
[ -z "${pskkey:-}" ] || shown=${target//$pskkey/xxx}
echo "suites: target $shown"
start=$(date +%s.%N)
status=0
go tool ginkgo -r -p --keep-going --timeout=10m \
	--junit-report="junit-$name.xml" --output-dir="$reports" \
	"${dirs[@]}" -- --target="$target" || status=$?
awk -v s="$start" -v e="$(date +%s.%N)" -v t="$shown" 'BEGIN { printf "suites: %s took %.1fs\n", t, e - s }'
# The merged statement coverage of every run in the report folder so far:
# a table per statement and target in coverage.txt, the summary here.
go run ./cmd/gatomqtt-coverage -o "$GATOMQTT_REPORT_DIR/coverage.txt" "$GATOMQTT_REPORT_DIR"
grep '^coverage ' "$GATOMQTT_REPORT_DIR/coverage.txt" || true
exit $status
