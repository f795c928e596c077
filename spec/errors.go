package spec

import "errors"

// ErrNotSupported is the one sentinel for "not possible on this host": no
// QEMU, no kernel, no usable accelerator, no sched_ext, not root. Errors
// that wrap it make tests skip (see internal/testutil) instead of fail.
var ErrNotSupported = errors.New("not possible on this host")
