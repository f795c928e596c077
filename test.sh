#!/usr/bin/env bash
# Runs gauntlet's test suite: vet, then every package's tests, VM tests
# included. VM tests skip with a reason when QEMU or a kernel is missing.
#
#   ./test.sh          run the suite as the machine is
#   ./test.sh --ci     install QEMU, busybox, xmllint and a Debian kernel
#                      first, and make VM tests fail instead of skip
#
# Environment the tests read (all optional):
#   GAUNTLET_SCX_KERNEL       a kernel image built with sched_ext; tests of
#                             schedulers boot it (with --ci it also sets
#                             GAUNTLET_REQUIRE_SCX=1: such tests must run)
#   GAUNTLET_SCX_KERNEL_CONFIG  that kernel's .config
#   GAUNTLET_SCHEDULERS       a directory of sched_ext scheduler binaries
#                             (scx_simple, scx_qmap, ...)
set -euo pipefail
cd "$(dirname "$0")"

if [ "${1:-}" = --ci ]; then
	scripts/deps.sh --kernel
	export GAUNTLET_REQUIRE_VM=1
	if [ -n "${GAUNTLET_SCX_KERNEL:-}" ] && [ -f "$GAUNTLET_SCX_KERNEL" ]; then
		# A sched_ext kernel is provided: tests needing sched_ext must run.
		export GAUNTLET_REQUIRE_SCX=1
		echo "test.sh: sched_ext kernel $GAUNTLET_SCX_KERNEL (GAUNTLET_REQUIRE_SCX=1)"
	else
		echo "test.sh: WARNING: GAUNTLET_SCX_KERNEL is not set to a kernel image; tests that need sched_ext will skip"
	fi
fi

export CGO_ENABLED=0 # test binaries become the VM's /init: they must be static
go vet ./...
# -p 1: one package's tests at a time. VM tests of several packages at
# once oversubscribe a small host under TCG, and the guests' fairness and
# stuck checks (calibrated to the speed a guest gets, not to contention
# that changes mid-scenario) then fail correct schedulers now and then.
go test -p 1 -timeout 25m ./... ./testdata/example/...
