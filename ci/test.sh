#!/usr/bin/env bash
# The project's full test command: installs missing peers, checks formatting
# and vet, runs every Go test with the race detector, fuzzes the parsers
# briefly, then runs the conformance suites against the in-process broker and
# against mosquitto. Reports land in ${GATOMQTT_REPORT_DIR:-reports}.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "peers"
ci/install-peers.sh

step "gofmt"
unformatted=$(gofmt -l . | grep -v '^bench/' || true)
if [ -n "$unformatted" ]; then
	echo "gofmt -l lists:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet ./...

step "go test -race"
go test -race -count=1 ./...

step "fuzz (brief)"
fuzz() { go test -run='^$' -fuzz="^$1\$" -fuzztime="${FUZZTIME:-15s}" "$2"; }
fuzz FuzzDecode ./broker/packet

step "conformance suites"
ci/suites.sh inproc
ci/suites.sh mosquitto
