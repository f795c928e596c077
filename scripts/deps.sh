#!/usr/bin/env bash
# Installs the Debian packages gauntlet's VM tests and demo need, when they
# are missing: QEMU, a static busybox (for `gauntlet shell`), cpio, and a
# Debian 6.12 cloud kernel to boot,
# xmllint for the JUnit schema tests, stress-ng and rt-tests (cyclictest,
# hackbench), the payloads of the example's TestPayloads, and gotestsum
# for the test that it reads `gauntlet run --json`. Needs root or sudo; without either it
# prints the apt-get command to run and exits 0, so callers can carry on
# (VM tests then skip with a reason).
#
# Usage: scripts/deps.sh [--kernel]   (--kernel: also install the kernel package)
set -euo pipefail

pkgs=()
command -v qemu-system-x86_64 >/dev/null || pkgs+=(qemu-system-x86)
[ -x /bin/busybox ] || pkgs+=(busybox-static)
command -v make >/dev/null || pkgs+=(make)  # the kernel build pipeline's tests run make on a fake tree
command -v xz >/dev/null || pkgs+=(xz-utils)
command -v xmllint >/dev/null || pkgs+=(libxml2-utils)  # the JUnit schema tests validate with it
[ -x /usr/bin/stress-ng ] || pkgs+=(stress-ng)  # payloads of testdata/example's TestPayloads
{ [ -x /usr/bin/cyclictest ] && [ -x /usr/bin/hackbench ]; } || pkgs+=(rt-tests)
command -v gotestsum >/dev/null || pkgs+=(gotestsum)  # cmd/gauntlet's gotestsum script reads run --json with it
if [ "${1:-}" = --kernel ] && ! ls /boot/vmlinuz-*-cloud-amd64 >/dev/null 2>&1; then
	pkgs+=(linux-image-6.12-cloud-amd64)
fi
[ ${#pkgs[@]} -eq 0 ] && exit 0

run() {
	if [ "$(id -u)" = 0 ]; then "$@"
	elif command -v sudo >/dev/null; then sudo "$@"
	else
		echo "deps: not root and no sudo; install these yourself: apt-get install -y ${pkgs[*]}" >&2
		exit 0
	fi
}
echo "deps: installing ${pkgs[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
run apt-get update -qq >/dev/null
run apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
