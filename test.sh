#!/usr/bin/env bash
# Runs gauntlet's test suite: vet, then every package's tests, VM tests
# included. VM tests skip with a reason when QEMU or a kernel is missing.
#
#   ./test.sh          run the suite as the machine is
#   ./test.sh --ci     install QEMU, busybox and a Debian kernel first, and
#                      make VM tests fail instead of skip (what CI runs)
set -euo pipefail
cd "$(dirname "$0")"

if [ "${1:-}" = --ci ]; then
	scripts/deps.sh --kernel
	export GAUNTLET_REQUIRE_VM=1
	# The prebuilt sched_ext kernel lives beside the repository on these
	# machines; sched_ext tests need it.
	for k in "${GAUNTLET_SCX_KERNEL:-}" ../shared/kernels/bzImage-6.12-scx /work/shared/kernels/bzImage-6.12-scx; do
		if [ -n "$k" ] && [ -f "$k" ]; then
			export GAUNTLET_SCX_KERNEL=$(realpath "$k")
			break
		fi
	done
	if [ -n "${GAUNTLET_SCX_KERNEL:-}" ] && [ -f "$GAUNTLET_SCX_KERNEL" ]; then
		# A sched_ext kernel is provided: tests needing sched_ext must run.
		export GAUNTLET_REQUIRE_SCX=1
		echo "test.sh: sched_ext kernel $GAUNTLET_SCX_KERNEL (GAUNTLET_REQUIRE_SCX=1)"
	else
		echo "test.sh: WARNING: no sched_ext kernel found (set GAUNTLET_SCX_KERNEL); tests that need sched_ext will skip"
	fi
fi

export CGO_ENABLED=0 # test binaries become the VM's /init: they must be static
go vet ./...
go test -timeout 25m ./... ./testdata/example/...
