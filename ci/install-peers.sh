#!/usr/bin/env bash
# Installs what the full test command needs beyond Go, when any is missing:
# the Debian peers the tests talk to (mosquitto, its clients, openssl, socat,
# ser2net), a C compiler for the race detector (cgo), ss (iproute2) for
# picking free ports, and qemu-system-riscv32 (qemu-system-misc) for the
# firmware's goroutine stack check and emulated:esp32c3. Tests skip without the peers; this script is what makes
# the full test command complete on a fresh machine.
set -euo pipefail

missing=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
command -v mosquitto_pub >/dev/null 2>&1 || missing+=(mosquitto-clients)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v socat >/dev/null 2>&1 || missing+=(socat)
command -v ser2net >/dev/null 2>&1 || [ -x /usr/sbin/ser2net ] || missing+=(ser2net)
command -v stdbuf >/dev/null 2>&1 || missing+=(coreutils)
command -v ss >/dev/null 2>&1 || missing+=(iproute2)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
command -v qemu-system-riscv32 >/dev/null 2>&1 || missing+=(qemu-system-misc)
[ -e /usr/include/stdlib.h ] || missing+=(libc6-dev)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-peers: missing ${missing[*]}; run as root or install them (tests needing them will skip)" >&2
	exit 0
fi
echo "install-peers: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Installing a daemon may start its system service. The tests start their own
# instances on free loopback ports, so a running service is no obstacle; the
# services of packages installed just now are stopped only to leave the
# machine as it was, and nothing the user ran before is touched.
services=()
for pkg in "${missing[@]}"; do
	case $pkg in mosquitto | ser2net) services+=("$pkg") ;; esac
done
if [ ${#services[@]} -gt 0 ] && command -v systemctl >/dev/null 2>&1; then
	systemctl stop "${services[@]}" >/dev/null 2>&1 || true
fi
