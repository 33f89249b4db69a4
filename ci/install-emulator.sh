#!/usr/bin/env bash
# Installs the RP2040 emulator's Node dependency (rp2040js, pinned by
# boards/emulator/rp2040/package-lock.json) when node_modules is missing or
# older than the lockfile. Without node and npm it says so and leaves the
# emulator tests to skip.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=boards/emulator/rp2040
stamp=$dir/node_modules/.package-lock.json # npm rewrites it on every install
if [ -e "$stamp" ] && [ ! "$dir/package-lock.json" -nt "$stamp" ]; then
	exit 0
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "install-emulator: node and npm are missing; the emulator tests will skip" >&2
	exit 0
fi
npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null
