package spec

import "errors"

// ErrNotSupported is the one sentinel for "not possible on this host": no
// QEMU, no kernel, no usable accelerator, no sched_ext, not root. Errors
// that wrap it make tests skip (see internal/testutil) instead of fail.
var ErrNotSupported = errors.New("not possible on this host")

// ErrNoSchedExt means the kernel has no sched_ext. It comes with
// ErrNotSupported, but its skips turn into failures only under
// GAUNTLET_REQUIRE_SCX=1 ([EnvRequireSchedExt]), since a machine may offer
// VMs without offering a sched_ext kernel.
var ErrNoSchedExt = errors.New("kernel has no sched_ext")
