#!/usr/bin/env bash
# Runs a small budgeted gauntlet on the built-in example package
# (testdata/example): installs QEMU when it is missing (root or sudo),
# finds a kernel or fetches Debian's 6.12 cloud kernel into gauntlet's
# kernel cache, builds gauntlet, and runs what fits in the budget.
#
#   ./example.sh                 budget 3m
#   ./example.sh --budget 10m    any gauntlet run flags
set -euo pipefail
cd "$(dirname "$0")"

scripts/deps.sh
mkdir -p bin
CGO_ENABLED=0 go build -o bin/gauntlet ./cmd/gauntlet

if ! bin/gauntlet kernel which >/dev/null 2>&1; then
	echo "example: no kernel found; fetching Debian's linux-image-6.12-cloud-amd64 into the kernel cache"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	if [ "$(id -u)" = 0 ]; then apt-get update -qq >/dev/null; elif command -v sudo >/dev/null; then sudo apt-get update -qq >/dev/null; fi
	pkg=$(apt-cache depends linux-image-6.12-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-6.12/ {print $2; exit}')
	(cd "$tmp" && apt-get download "${pkg:-linux-image-6.12-cloud-amd64}")
	bin/gauntlet kernel import "$tmp"/linux-image-*.deb
fi
bin/gauntlet kernel which

args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--budget 3m)
exec bin/gauntlet run "${args[@]}" ./testdata/example
