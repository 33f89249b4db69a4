#!/usr/bin/env bash
# The project's full test command: installs missing peers, the RP2040
# emulator's Node package and TinyGo (built from source once when none is
# on PATH), checks formatting and vet, runs every Go test with the race
# detector (the Pico firmware among them, in the emulator), fuzzes the
# parsers briefly, builds the firmware of both boards and checks their
# memory ceilings, measures the serial link over a paced line, then runs
# the conformance suites against the in-process broker and against
# mosquitto. Reports land in ${GATOMQTT_REPORT_DIR:-reports}.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "peers"
ci/install-peers.sh

step "emulator"
ci/install-emulator.sh

step "tinygo"
tinygo=$(ci/install-tinygo.sh)
reports=${GATOMQTT_REPORT_DIR:-reports}
mkdir -p "$reports"

step "gofmt"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
	echo "gofmt -l lists:"; echo "$unformatted"; exit 1
fi

step "go mod tidy"
# go.mod and go.sum list exactly what the module needs.
go mod tidy -diff

step "go vet"
go vet ./...
(cd bench && go vet ./...)

step "go test -race"
go test -race -count=1 ./...
# The broker's tests once more with every test client served from events
# (ServeEvents) instead of by a blocked goroutine (ServeConn).
go test -race -count=1 ./broker -args -events

step "fuzz (brief)"
# Budgets are counts of inputs, about ten seconds each here: a -fuzztime
# duration can fail at its deadline with "context deadline exceeded" and no
# crasher, a race in Go 1.26's fuzzing coordinator (go.dev/issue/75804).
fuzz() { go test -run='^$' -fuzz="^$1\$" -fuzztime="${FUZZTIME:-$3}" "$2"; }
fuzz FuzzDecode ./broker/packet 400000x
fuzz FuzzReader ./broker/packet 300000x
fuzz FuzzServeConn ./broker 8000x
fuzz FuzzRecordLayer ./broker/tlspsk 100000x
fuzz FuzzHandshakeMessages ./broker/tlspsk 120000x
fuzz FuzzReceive ./boards/link 120000x

step "firmware (TinyGo) and memory ceilings"
go run ./cmd/gatomqtt-firmware -tinygo "$tinygo" -report "$reports/firmware-size.md" -figures "$reports/figures-firmware.tsv"

step "ESP32-C3 firmware on QEMU"
GATOMQTT_ESP32C3_QEMU_ELF=$PWD/build/esp32c3-qemu.elf go test -count=1 -run 'TestESP32C3OnQEMU' -v ./boards/emulator | grep -E '^(---|ok|FAIL)|qemu_test'

step "serial link over a paced line"
go test -run='^$' -bench=. -benchtime=1x ./boards/link | tee "$reports/link-bench.txt"

step "conformance suites"
ci/suites.sh inproc
ci/suites.sh mosquitto
# A P-256-only PSK endpoint makes the X25519-first client go through a
# HelloRetryRequest, which the default targets never need.
ci/suites.sh 'inproc?psk_groups=p256&psk_ke=false' suites/tlspsk
# Plain MQTT over WebSocket (broker/mqttws), where the MQTT-6.0.0 specs run.
ci/suites.sh 'inproc?ws=/mqtt'

step "conformance suites on boards"
ci/suites.sh twin:pico
ci/suites.sh twin:esp32c3
# The ESP32-C3 firmware built above for QEMU's riscv32 virt machine
# (build/esp32c3-qemu.elf), in qemu-system-riscv32.
ci/suites.sh emulated:esp32c3
# The real Pico image (built above) in rp2040js, with the RP2040 boot ROM
# from the shared folder beside the checkout or $GATOMQTT_RP2040_BOOTROM.
if [ -n "${GATOMQTT_RP2040_BOOTROM:-}" ] || [ -e ../shared/rp2040/bootrom-b1.bin ]; then
	ci/suites.sh emulated:pico
else
	echo "suites: skipping emulated:pico: no RP2040 boot ROM (set GATOMQTT_RP2040_BOOTROM to bootrom-b1.bin)"
fi
ci/suites.sh serial-twin:pico
# Faults on the line both ways: the link must recover and lose nothing.
ci/suites.sh 'twin:esp32c3?faults=drop=0.001,corrupt=0.001,seed=1'

step "flashing the twins through their boot ROMs"
# The images built above, written over RFC 2217 into twins whose flash
# starts erased, by the code that flashes a board on a desk or a farm (the
# ESP32-C3 ROM loader after its reset sequence; the Pico's 1200-baud touch
# and BOOTSEL drive); each twin must then report the flashed build id, and
# the suites run against it.
ci/suites.sh "twin:esp32c3?firmware=$PWD/build/esp32c3.bin"
ci/suites.sh "twin:pico?firmware=$PWD/build/pico.uf2"
# Flash throughput over a paced USB-UART line, against the line's rate.
go test -run='^$' -bench=FlashESP32C3 -benchtime=1x ./cmd/gatomqtt-twin | tee "$reports/flash-bench.txt"
# hil run as a user runs it: flash, then a suite, then the reports.
go run ./cmd/hil run -target "twin:pico?firmware=$PWD/build/pico.uf2" -suites suites/connect -reports "$reports/hil-run" | tee "$reports/hil-run.txt"

step "memory figures per target"
cat "$reports/figures.txt"
