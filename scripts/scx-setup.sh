#!/usr/bin/env bash
# From a fresh Debian machine to real sched_ext schedulers under test, in
# one command: builds a sched_ext kernel from Debian's linux-source-6.12
# with gauntlet's kernel fragment (gauntlet kernel build, ~7 min on 2
# cores), then the kernel tree's example schedulers (tools/sched_ext:
# scx_simple, scx_qmap, scx_flatcg, scx_central) against that kernel's BTF
# with Debian's clang, linked statically, and prints the two variables the
# tests and `gauntlet run` read.
#
#   scripts/scx-setup.sh [DIR]        DIR (default ./scx) gets the schedulers
#   KERNEL=IMAGE scripts/scx-setup.sh  use an existing sched_ext kernel image
#                                      instead of building one
#
# Needs root or sudo for apt-get. The README's main command works without
# any of this: tests that need sched_ext skip, saying so.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=$(realpath -m "${1:-scx}")

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
echo "scx-setup: installing the build dependencies" >&2
export DEBIAN_FRONTEND=noninteractive
sudo_ apt-get update -qq >/dev/null
sudo_ apt-get install -y -qq --no-install-recommends linux-source-6.12 build-essential flex bison bc \
	libelf-dev libssl-dev dwarves xz-utils python3 file clang-16 llvm-16 lld-16 zlib1g-dev \
	libzstd-dev pkg-config >/dev/null
src=/usr/src/linux-source-6.12.tar.xz

mkdir -p bin "$out"
CGO_ENABLED=0 go build -o bin/gauntlet ./cmd/gauntlet
kernel=${KERNEL:-}
if [ -z "$kernel" ]; then
	echo "scx-setup: building the sched_ext kernel (gauntlet kernel build --source $src)" >&2
	line=$(bin/gauntlet kernel build --source "$src" | tail -n1)
	kernel=${line##*: }
	kernel=${kernel%% (*}
fi
[ -f "$kernel" ] || { echo "scx-setup: no kernel image at $kernel" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "scx-setup: building the example schedulers against $kernel (in $work)" >&2
tar -xf "$src" -C "$work" --exclude='*/drivers' --exclude='*/Documentation' --exclude='*/sound'
tree=$(echo "$work"/linux-source-*)
# The schedulers' build calls unversioned LLVM tools: point them at clang-16's.
mkdir -p "$work/llvm"
for t in clang llc llvm-strip llvm-objcopy llvm-objdump llvm-ar llvm-nm llvm-readelf ld.lld; do
	ln -sf "/usr/bin/$t-16" "$work/llvm/$t"
done
export PATH="$work/llvm:$PATH"
# The BPF programs are compiled against the kernel's own BTF.
"$tree/scripts/extract-vmlinux" "$kernel" > "$work/vmlinux"
readelf -S "$work/vmlinux" | grep -q '\.BTF ' || { echo "scx-setup: $kernel has no BTF; build it with gauntlet kernel build" >&2; exit 1; }
mk=(make -C "$tree/tools/sched_ext" -j"$(nproc)" CC=gcc CLANG=clang-16 VMLINUX_BTF="$work/vmlinux")
# First pass builds libbpf, bpftool, the skeletons and dynamic loaders;
# the second relinks only the loaders statically (LDFLAGS given to the
# first pass would reach the libbpf and bpftool sub-builds too).
"${mk[@]}" >"$work/build1.log" 2>&1 || { tail -30 "$work/build1.log" >&2; exit 1; }
rm -f "$tree"/tools/sched_ext/build/bin/scx_*
"${mk[@]}" LDFLAGS="-static -lelf -lz -lzstd -lpthread" >"$work/build2.log" 2>&1 || { tail -30 "$work/build2.log" >&2; exit 1; }
cp "$tree"/tools/sched_ext/build/bin/scx_* "$out/"
echo "scx-setup: done. For the tests and gauntlet run:" >&2
echo "export GAUNTLET_SCX_KERNEL=$(realpath "$kernel")"
echo "export GAUNTLET_SCHEDULERS=$out"
echo "# e.g. (cd $root && ./test.sh) or bin/gauntlet run --scheduler $out/scx_simple ./testdata/example" >&2
