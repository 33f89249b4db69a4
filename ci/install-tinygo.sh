#!/usr/bin/env bash
# Prints the path of a tinygo command that builds this project's firmware.
#
# A tinygo already on PATH is used as it is (users install TinyGo the normal
# way: https://tinygo.org/getting-started/). Otherwise TinyGo 0.37.0 is built
# from source once into a cache folder and reused by later runs:
#   - source: the Go module proxy (github.com/tinygo-org/tinygo@v0.37.0; the
#     module zip is the tree without its git submodules);
#   - LLVM 19 from Debian bookworm (apt), compiler-rt builtins from Debian's
#     llvm-toolchain-19 source package;
#   - Go 1.24.11 from the module proxy (golang.org/toolchain), both to build
#     tinygo and as the GOROOT of compiled firmware (0.37 takes Go 1.19-1.24);
#   - the submodule contents no registry here serves (picolibc 1.7.9 subset,
#     tinygo-org/net, the RP2040 and ESP32-C3 SVD files, with their licences)
#     from ci/tinygo/vendor.tar.xz.
# Why 0.37 and not 0.33: 0.37 compiles modules whose go line is 1.24, the
# first that has tool directives (go tool ginkgo) and crypto/hkdf, so one
# go.mod serves the host and the firmware; 0.33 stops at Go 1.23.
#
# The printed command is a wrapper that puts Go 1.24 first on PATH and sets
# TINYGOROOT, because TinyGo reads the Go version from the go on PATH.
# Cache folder: $GATOMQTT_CACHE (default ~/.cache/gatomqtt). Progress goes to
# stderr so that callers can write tinygo=$(ci/install-tinygo.sh).
set -euo pipefail

if command -v tinygo >/dev/null 2>&1; then
	command -v tinygo
	exit 0
fi

here=$(cd "$(dirname "$0")" && pwd)
version=0.37.0
goversion=go1.24.11
llvm=19
llvmdeb=19.1.7
cache=${GATOMQTT_CACHE:-$HOME/.cache/gatomqtt}
root=$cache/tinygo-$version
wrapper=$root/bin/tinygo

if [ -x "$wrapper" ] && "$wrapper" version >/dev/null 2>&1; then
	echo "$wrapper"
	exit 0
fi

log() { echo "install-tinygo: $*" >&2; }
export GOPATH=$cache/gopath GOMODCACHE=$cache/gomod GOCACHE=$cache/gocache
export GOFLAGS=-modcacherw
mkdir -p "$root/bin"

# 1. LLVM 19 and the compiler-rt source.
pkgs=(llvm-$llvm-dev libclang-$llvm-dev liblld-$llvm-dev clang-$llvm lld-$llvm xz-utils)
if ! dpkg-query -W "${pkgs[@]}" >/dev/null 2>&1; then
	if [ "$(id -u)" -ne 0 ]; then
		log "needs ${pkgs[*]} (apt, as root) or a tinygo on PATH"
		exit 1
	fi
	log "installing LLVM $llvm from Debian"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi
rt=$cache/compiler-rt-$llvmdeb
if [ ! -d "$rt/builtins" ]; then
	log "fetching compiler-rt builtins (Debian source package llvm-toolchain-$llvm)"
	src=/etc/apt/sources.list.d/gatomqtt-deb-src.sources
	if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
		sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"$src"
		apt-get update -qq
	fi
	dl=$cache/debsrc
	mkdir -p "$dl"
	orig=llvm-toolchain-${llvm}_$llvmdeb.orig.tar.xz
	if [ ! -f "$dl/$orig" ]; then
		# apt-get source needs the download folder writable by its sandbox user.
		(cd "$dl" && apt-get source --download-only -qq llvm-toolchain-$llvm >/dev/null 2>&1) ||
			(cd "$dl" && APT_CONFIG=/dev/null apt-get -o APT::Sandbox::User=root source --download-only -qq llvm-toolchain-$llvm >/dev/null)
	fi
	tmp=$(mktemp -d "$cache/rt.XXXX")
	tar -xJf "$dl/$orig" -C "$tmp" --wildcards '*/compiler-rt/lib/builtins/*' '*/compiler-rt/LICENSE.TXT'
	mkdir -p "$rt"
	mv "$tmp"/*/compiler-rt/lib/builtins "$rt/builtins"
	mv "$tmp"/*/compiler-rt/LICENSE.TXT "$rt/builtins/"
	rm -rf "$tmp" "$dl"
fi

# 2. Go 1.24 through the module proxy.
log "Go $goversion"
GOTOOLCHAIN=$goversion go version >/dev/null
goroot=$GOMODCACHE/golang.org/toolchain@v0.0.1-$goversion.linux-amd64
export PATH=$goroot/bin:$PATH GOTOOLCHAIN=local

# 3. TinyGo's source with the vendored submodule contents.
tree=$root/src
if [ ! -x "$tree/build/tinygo" ]; then
	log "building TinyGo $version from source"
	rm -rf "$tree"
	go mod download github.com/tinygo-org/tinygo@v$version
	cp -r "$GOMODCACHE/github.com/tinygo-org/tinygo@v$version" "$tree"
	chmod -R u+w "$tree"
	v=$(mktemp -d "$cache/vendor.XXXX")
	tar -xJf "$here/tinygo/vendor.tar.xz" -C "$v"
	rm -rf "$tree/lib/picolibc" "$tree/src/net"
	cp -r "$v/picolibc" "$tree/lib/picolibc"
	cp -r "$v/net" "$tree/src/net"
	mkdir -p "$tree/lib/cmsis-svd/data/RaspberryPi" "$tree/lib/cmsis-svd/data/Espressif"
	cp "$v/svd/rp2040.svd" "$tree/lib/cmsis-svd/data/RaspberryPi/"
	cp "$v/svd/esp32c3.svd" "$tree/lib/cmsis-svd/data/Espressif/"
	rm -rf "$v"
	cp -r "$rt/builtins" "$tree/lib/compiler-rt-builtins"
	# TinyGo issue 4212: the bare esp32c3 target lacks SCL_PIN and SDA_PIN.
	cp "$here/tinygo/board_esp32c3_generic.go.txt" "$tree/src/machine/board_esp32c3_generic.go"

	(cd "$tree" && go build -tags llvm$llvm \
		-ldflags="-X github.com/tinygo-org/tinygo/goenv.GitSha1=v$version-proxy" -o build/tinygo.new .)
	(cd "$tree" && go build -o build/gen-device-svd ./tools/gen-device-svd/ &&
		./build/gen-device-svd -interrupts=software \
			-source=https://github.com/posborne/cmsis-svd/tree/master/data/Espressif \
			lib/cmsis-svd/data/Espressif/ src/device/esp/ >/dev/null &&
		./build/gen-device-svd \
			-source=https://github.com/posborne/cmsis-svd/tree/master/data/RaspberryPi \
			lib/cmsis-svd/data/RaspberryPi/ src/device/rp/ >/dev/null &&
		GO111MODULE=off go fmt ./src/device/esp ./src/device/rp >/dev/null)
	mv "$tree/build/tinygo.new" "$tree/build/tinygo"
fi

cat >"$wrapper" <<EOF
#!/bin/sh
# TinyGo $version built by ci/install-tinygo.sh; Go $goversion is its GOROOT.
PATH="$goroot/bin:\$PATH" GOTOOLCHAIN=local TINYGOROOT="$tree" exec "$tree/build/tinygo" "\$@"
EOF
chmod +x "$wrapper"
"$wrapper" version >&2
echo "$wrapper"
